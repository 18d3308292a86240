// What the .vsix carries, asked of vsce itself (the packager's own ignore rules, not a copy of them): every image the
// packaged README shows, the icon and the bundles are inside; sources, tests and maps are not.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAMPLE_SCRIPT, SAMPLES, SAMPLES_FOLDER, walkthroughFiles } from '../../src/host/samples';

const root = path.resolve(__dirname, '..', '..');

function packagedFiles(): Set<string> {
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const out = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  return new Set(out.split('\n').map((line) => line.trim()).filter((line) => line.length > 0));
}

/** Relative image paths of a markdown text: `![alt](path)` and `<img src="path">`. */
export function markdownImages(markdown: string): string[] {
  const images = [...markdown.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)/g), ...markdown.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
  return images.filter((src) => !/^[a-z]+:/i.test(src)).map((src) => path.posix.normalize(src.replace(/^\.\//, '')));
}

describe('the packaged extension (.vsix contents, as vsce lists them)', function () {
  let files: Set<string>;
  before(function () {
    this.timeout(60_000);
    files = packagedFiles();
  });

  it('finds the README images (so the check below cannot pass on an empty list)', function () {
    const images = markdownImages(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
    assert.ok(images.length >= 1, 'README.md shows no image');
  });

  it('carries every image the README shows, and the icon', function () {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const image of markdownImages(readme)) assert.ok(files.has(image), `README image ${image} is not in the .vsix`);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { icon: string };
    assert.ok(files.has(pkg.icon), `icon ${pkg.icon} is not in the .vsix`);
  });

  it('carries the bundles, README, CHANGELOG and LICENSE, and no sources, tests or source maps', function () {
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/extension.js', 'dist/worker.js', 'dist/webview.js', 'dist/cli.js', 'dist/typedReaders.js', 'dist/selectWorker.js', 'bin/mixscope.js']) {
      assert.ok(files.has(f), `${f} is not in the .vsix`);
    }
    for (const f of files) {
      assert.doesNotMatch(f, /^(src|test|webview|scripts|bench|docs)\/|\.map$|\.ts$/, `${f} should not be in the .vsix`);
    }
  });

  it('carries the samples and every page of the walkthrough, with the images those pages show', function () {
    const samples = [...SAMPLES.map((s) => s.file), 'mnist-2000-labels-idx1-ubyte', SAMPLE_SCRIPT].map((f) => `${SAMPLES_FOLDER}/${f}`);
    const pages = walkthroughFiles();
    assert.ok(pages.length >= 5, 'the walkthrough names its pages');
    for (const f of [...samples, ...pages]) {
      assert.ok(fs.existsSync(path.join(root, f)), `${f} does not exist`);
      assert.ok(files.has(f), `${f} is not in the .vsix`);
    }
    for (const page of pages.filter((p) => p.endsWith('.md'))) {
      for (const image of markdownImages(fs.readFileSync(path.join(root, page), 'utf8'))) {
        const packaged = path.posix.normalize(path.posix.join(path.posix.dirname(page), image));
        assert.ok(files.has(packaged), `${page} shows ${image}, which is not in the .vsix`);
      }
    }
  });
});
