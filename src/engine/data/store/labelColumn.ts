// The label column of a file parsed into the out-of-core store (never fitted, scored): each stored row's label as a
// code in order of first appearance, the distinct labels collected over the whole file (at most MAX_LABEL_VALUES, the
// loader's rule), and at the end the recoding to the codes em/metrics.ts's labelCodes gives the same labels in memory.

import { clip, dataError, listSome } from '../common';
import { MAX_LABEL_VALUES, sortedTexts } from '../text/columns';
import type { StoredLabels } from './storeRows';

export class LabelCollector {
  /** Stored code of each label met in a stored row (an integer, or a text label's text). */
  private readonly codes = new Map<number | string, number>();
  /** Text labels: every text of the column in the rows of the table's width, as the in-memory scan names them. */
  private readonly texts = new Set<string>();

  /**
   * `text`: the labels are texts (their names sorted as the loader sorts them), else integers. `unit` names a row in
   * messages ("line", "row", "record"); `headValues`: how many labels the file's start held (for the message).
   */
  constructor(
    private readonly fileName: string,
    readonly column: string,
    readonly text: boolean,
    private readonly unit: string,
    private readonly headValues: number,
  ) {}

  /** A text label's cell in a row of the table's width, before the row is kept or skipped (the loader's names). */
  see(text: string, at: number): void {
    if (this.texts.has(text)) return;
    this.texts.add(text);
    if (this.texts.size > MAX_LABEL_VALUES) throw this.tooMany(at);
  }

  /** The stored code of a kept row's label. */
  code(label: number | string, at: number): number {
    let code = this.codes.get(label);
    if (code === undefined) {
      code = this.codes.size;
      if (code >= MAX_LABEL_VALUES) throw this.tooMany(at);
      this.codes.set(label, code);
    }
    return code;
  }

  /** The recoding of the stored codes and the labels of the kept rows, in labelCodes' order. */
  finish(): StoredLabels {
    const keys = Array.from(this.codes.keys());
    const recode = new Int32Array(keys.length);
    if (this.text) {
      // As in memory: a row's label is the index of its text among every text of the column, sorted.
      for (const key of keys) this.texts.add(key as string);
      const names = sortedTexts(this.texts);
      const index = new Map(names.map((name, i) => [name, i]));
      const values = Array.from(new Set(keys.map((key) => index.get(key as string)!))).sort((a, b) => a - b);
      const position = new Map(values.map((v, i) => [v, i]));
      keys.forEach((key, code) => (recode[code] = position.get(index.get(key as string)!)!));
      return { column: this.column, recode, values, names };
    }
    const values = (keys as number[]).slice().sort((a, b) => a - b);
    const position = new Map(values.map((v, i) => [v, i]));
    keys.forEach((key, code) => (recode[code] = position.get(key as number)!));
    return { column: this.column, recode, values };
  }

  /** The summary's note on the labels, as the in-memory loader words it. */
  static note(labels: StoredLabels): string {
    return labels.names
      ? `labels: text column "${labels.column}", ${labels.names.length} values (${listSome(labels.names.map((v) => clip(v)), 10)}), not used in the fit`
      : `labels: column "${labels.column}" (not used in the fit)`;
  }

  private tooMany(at: number): Error {
    return dataError(
      this.fileName,
      `${this.unit} ${at}: the label column "${this.column}" holds more than ${MAX_LABEL_VALUES} distinct values over the whole file (the file's start had ${this.headValues}), so it is not a column of class labels. ` +
        `Set labelColumn to "none" (or name a column of classes), or raise memoryBudgetMB to fit the file in memory.`,
      this.unit === 'line' ? at : undefined,
    );
  }
}
