// Small DOM helpers shared by the views (the browser side only).

export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`panel: missing #${id}`);
  return el;
}

export function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

export function cell(tag: 'td' | 'th', text: string, cls?: string): HTMLTableCellElement {
  const c = document.createElement(tag);
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

export function tableRow(tag: 'th' | 'td', texts: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.append(...texts.map((t) => cell(tag, t)));
  return tr;
}

/** The panel's usable width for charts, in CSS pixels. */
export function panelWidth(): number {
  return byId('charts').clientWidth;
}
