import * as assert from 'node:assert/strict';
import { chooseTarget, dataFileKey } from '../../../src/host/commandTarget';

/** A stand-in for vscode.Uri: a scheme and its string form. */
const uri = (text: string) => ({ scheme: text.slice(0, text.indexOf(':')), toString: () => text });

const FAITHFUL = 'file:///data/faithful.csv';
const MNIST = 'file:///data/train-images-idx3-ubyte';
// What VS Code passes to a command run from a webview editor's title bar: the editor's own resource.
const PANEL_RESOURCE = uri('webview-panel:webview-panel/webview-3f1c');

describe('host: which file Stop and Export act on', () => {
  it("the title bar's Stop, while the panel's fit runs: that fit, not 'no fit is running'", () => {
    assert.deepEqual(chooseTarget(PANEL_RESOURCE, FAITHFUL, [FAITHFUL]), { kind: 'file', key: FAITHFUL });
  });

  it("the title bar's Export with a finished fit shown: that fit, not 'no finished fit'", () => {
    assert.deepEqual(chooseTarget(PANEL_RESOURCE, MNIST, [FAITHFUL, MNIST]), { kind: 'file', key: MNIST });
  });

  it('a data file named by the argument (Explorer, palette with a URI) wins, and is not replaced by another', () => {
    assert.deepEqual(chooseTarget(uri(FAITHFUL), MNIST, [FAITHFUL, MNIST]), { kind: 'file', key: FAITHFUL });
    assert.deepEqual(chooseTarget(uri('file:///data/other.csv'), MNIST, [MNIST]), { kind: 'none' });
  });

  it('no argument: the active panel, else the only candidate, else ask; nothing to act on: none', () => {
    assert.deepEqual(chooseTarget(undefined, MNIST, [FAITHFUL, MNIST]), { kind: 'file', key: MNIST });
    assert.deepEqual(chooseTarget(undefined, undefined, [FAITHFUL]), { kind: 'file', key: FAITHFUL });
    assert.deepEqual(chooseTarget(PANEL_RESOURCE, 'file:///idle.csv', [FAITHFUL, MNIST]), { kind: 'choose', keys: [FAITHFUL, MNIST] });
    assert.deepEqual(chooseTarget(undefined, FAITHFUL, []), { kind: 'none' });
  });

  it('dataFileKey: file URIs and other schemes are data files; the webview editor resource and non-URIs are not', () => {
    assert.equal(dataFileKey(uri(FAITHFUL)), FAITHFUL);
    assert.equal(dataFileKey(uri('memfs:/sample/faithful.csv')), 'memfs:/sample/faithful.csv');
    assert.equal(dataFileKey(PANEL_RESOURCE), undefined);
    for (const other of [undefined, null, 'file:///x.csv', 3, {}]) assert.equal(dataFileKey(other), undefined);
  });
});
