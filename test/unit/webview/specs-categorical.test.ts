// The categorical view's answer-profile spec renders one cell per cluster × column × category.

import { strict as assert } from 'node:assert';
import { profileRows, profilesSpec } from '../../../webview/specs/categorical';
import { markItems, renderSvg, testTheme } from './helpers';

describe('categorical view specs', () => {
  it('profiles: K × Σ categories cells, each with its probability', async () => {
    const categories = [
      { column: 'smoker', levels: ['no', 'yes'] },
      { column: 'commute', levels: ['bus', 'car', 'walk'] },
    ];
    const means = [
      [0.9, 0.1, 0.2, 0.5, 0.3],
      [0.25, 0.75, 0.6, 0.1, 0.3],
    ];
    const rows = profileRows(means, categories);
    assert.equal(rows.length, 10);
    assert.deepEqual(rows[6], { cluster: '#2', column: 'smoker', category: 'yes', probability: 0.75 });
    const svg = await renderSvg(profilesSpec(rows, 2, ['smoker', 'commute'], 600, testTheme('light')));
    assert.equal(markItems(svg, 'profile_cells'), 10);
    assert.ok(svg.includes('>0.75<') && svg.includes('>0.90<'));
  });
});
