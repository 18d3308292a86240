// Count columns (the countColumns setting, CLI --counts): the names and values are checked on the table as loaded,
// each with one message naming the file, the column and, for a value, its line.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { DataError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { DEFAULT_FIT_OPTIONS } from '../../../src/shared/settings';
import { utf8 } from '../../fixtures/data/helpers';

const root = path.resolve(__dirname, '../../..');
export const countsBytes = readFileSync(path.join(root, 'test/fixtures/mixed-counts.csv'));

describe('count columns: the countColumns setting', function () {
  this.timeout(60_000);

  it('a named column with a value that is not a whole number ≥ 0 stops the fit naming the file, column, line and value', () => {
    const text = 'x,visits,answer\n0.5,1,a\n1.5,2,b\n2.5,2.5,a\n3.5,-1,b\n';
    const fit = () => fitDataset(loadDataset('v.csv', utf8(text)), { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['visits'] });
    assert.throws(fit, (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.message, 'v.csv: column "visits" is read as counts (mixscope.countColumns, CLI --counts), but has 2.5 on line 4; counts are whole numbers ≥ 0. Correct the value, leave the cell empty (a missing count), or remove the column from countColumns.');
      assert.equal(e.line, 4);
      return true;
    });
    const negative = 'x,visits,answer\n0.5,1,a\n1.5,-1,b\n';
    assert.throws(() => fitDataset(loadDataset('n.csv', utf8(negative)), { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['visits'] }), /^DataError: n\.csv: column "visits" is read as counts .* but has -1 on line 3;/);
  });

  it('an unknown name, a categorical column or the label column is refused naming the file and the numeric columns', () => {
    const table = () => loadDataset('mixed-counts.csv', countsBytes);
    const fit = (countColumns: string[]) => () => fitDataset(table(), { ...DEFAULT_FIT_OPTIONS, k: 2, countColumns });
    assert.throws(fit(['visitz']), /^DataError: mixed-counts\.csv: there is no numeric column "visitz" \(mixscope\.countColumns, CLI --counts\)\. Count columns must be numeric columns of the fit: "height", "score", "visits", "calls"\.$/);
    assert.throws(fit(['smoker']), /^DataError: mixed-counts\.csv: column "smoker" \(mixscope\.countColumns, CLI --counts\) is read as categorical, not as numbers\./);
    assert.throws(fit(['visits', 'Visits']), /column "visits" is named twice in countColumns/);
    const labelled = loadDataset('l.csv', utf8('x,n,label\n0.5,1,1\n1.5,2,2\n2.5,3,1\n'));
    assert.throws(() => fitDataset(labelled, { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['label'] }), /^DataError: l\.csv: column "label" \(mixscope\.countColumns, CLI --counts\) is the label column, which is never fitted\./);
  });
});
