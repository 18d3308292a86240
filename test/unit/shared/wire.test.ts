// A finished fit crosses to the webview with its snapshots and assignments as typed arrays (shared/wire.ts): what the
// webview unpacks must be exactly what the host had, however VS Code hands the typed arrays over.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import type { FitResult, HostToWebview } from '../../../src/shared/protocol';
import { packForWebview, unpackFromHost, type PackedResult } from '../../../src/shared/wire';

const root = path.resolve(__dirname, '../../..');
const read = (p: string) => new Uint8Array(readFileSync(path.join(root, p)));

describe('shared/wire: typed arrays for the bulk of a finished fit', function () {
  this.timeout(60_000);
  let gaussian: FitResult;
  let bernoulli: FitResult;

  before(() => {
    gaussian = fitDataset(loadDataset('faithful.csv', read('test/fixtures/faithful.csv'), { columns: [] }), { k: 3, covarianceType: 'full', seed: 1 }).result;
    const images = loadDataset('mnist-2000-images-idx3-ubyte', read('media/samples/mnist-2000-images-idx3-ubyte'), { columns: [] });
    bernoulli = fitDataset(images, { k: 4, maxIterations: 8, seed: 1 }).result;
  });

  for (const family of ['gaussian', 'bernoulli'] as const) {
    it(`${family}: done and restore unpack to the host's message exactly`, () => {
      const result = family === 'gaussian' ? gaussian : bernoulli;
      assert.ok(result.snapshots.length > 2 && result.assignments.length > 0);
      const done: HostToWebview = { type: 'done', runId: 3, result, plotAssignments: [0, 1] };
      const restore: HostToWebview = { type: 'restore', state: { fileName: 'f', fileUri: 'file:///f', options: {} as never, result } };
      for (const message of [done, restore]) {
        const packed = packForWebview(message);
        assert.notEqual(packed, message);
        assert.ok('packed' in packed && packed.packed, 'packed');
        // What still travels as JSON is small: the snapshots and assignments are not in it.
        const text = JSON.parse(JSON.stringify(packed, (_, v) => (ArrayBuffer.isView(v) ? undefined : v)));
        const sent = text.type === 'done' ? text.result : text.state.result;
        assert.deepEqual([sent.snapshots, sent.assignments], [[], []]);
        assert.deepEqual(unpackFromHost(packed), message);
      }
    });
  }

  it('takes the typed arrays as VS Code may hand them over: views at any offset, bare buffers, plain objects', () => {
    const packed = packForWebview({ type: 'done', runId: 1, result: gaussian }) as Extract<HostToWebview, { type: 'done' }>;
    const p = packed.packed!;
    const misaligned = (a: Float64Array | Int32Array) => {
      const bytes = new Uint8Array(a.byteLength + 3);
      bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), 3);
      return new Uint8Array(bytes.buffer, 3, a.byteLength);
    };
    const variants: PackedResult[] = [
      { assignments: misaligned(p.assignments!) as never, snapshots: { ...p.snapshots!, means: misaligned(p.snapshots!.means) as never } },
      { assignments: p.assignments!.slice().buffer as never, snapshots: { ...p.snapshots!, weights: p.snapshots!.weights.slice().buffer as never } },
      { assignments: { ...Array.from(p.assignments!) } as never, snapshots: { ...p.snapshots!, covariances: { ...Array.from(p.snapshots!.covariances!) } as never } },
    ];
    for (const variant of variants) {
      const unpacked = unpackFromHost({ ...packed, packed: variant }) as Extract<HostToWebview, { type: 'done' }>;
      assert.deepEqual(unpacked.result, gaussian);
    }
  });

  it('leaves other messages, and results with nothing to pack, as they are', () => {
    const progress: HostToWebview = { type: 'cancelled', runId: 2 };
    assert.equal(packForWebview(progress), progress);
    assert.equal(unpackFromHost(progress), progress);
    const bare = { ...gaussian, snapshots: [gaussian.snapshots[0]], assignments: [] };
    const done: HostToWebview = { type: 'done', runId: 1, result: bare };
    assert.equal(packForWebview(done), done);
  });
});
