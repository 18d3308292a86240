// The words of an out-of-core fit's progress, the same in the panel's status line and the progress notification.

import type { StreamProgress } from './protocol';

const MB = 1024 * 1024;
const count = (n: number) => n.toLocaleString('en-US');

/** "read 120 of 1,024 MB" (the parse); "pass 3 over the rows: 1,200,000 of 48,000,000" (a pass over the store). */
export function streamProgressText(p: Pick<StreamProgress, 'phase' | 'done' | 'total' | 'pass'>): string {
  if (p.phase === 'parse') return `read ${count(Math.floor(p.done / MB))} of ${count(Math.ceil(p.total / MB))} MB`;
  return `pass ${p.pass ?? 1} over the rows: ${count(p.done)} of ${count(p.total)}`;
}
