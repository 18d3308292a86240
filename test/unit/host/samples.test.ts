// The first-run walkthrough (generated into package.json from src/host/samples.ts): every button runs a command that
// exists, every sample it opens is shipped, every page it shows exists, and each sample's settings are valid.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDataLiterals } from '../../../src/host/dataLiterals';
import { SAMPLE_SCRIPT, SAMPLES, SAMPLES_FOLDER, WALKTHROUGH_ID, commandLink, sampleById, walkthroughFiles } from '../../../src/host/samples';
import { validateFitOptions } from '../../../src/shared/settings';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
interface Step {
  id: string;
  description: string;
  media: { markdown?: string };
  completionEvents: string[];
}
const walkthrough = (pkg.contributes.walkthroughs as { id: string; steps: Step[] }[]).find((w) => w.id === WALKTHROUGH_ID)!;
const ownCommands = new Set((pkg.contributes.commands as { command: string }[]).map((c) => c.command));

/** The `command:` links of a step's markdown: [command, arguments]. */
function links(markdown: string): [string, unknown[] | undefined][] {
  return [...markdown.matchAll(/\]\(command:([\w.]+)(?:\?([^)]+))?\)/g)].map((m) => [m[1], m[2] === undefined ? undefined : (JSON.parse(decodeURIComponent(m[2])) as unknown[])]);
}

describe('the first-run walkthrough', () => {
  it('shows right-click, the palette, the settings, model selection and the code lens, after the samples', () => {
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['samples', 'rightClick', 'palette', 'settings', 'modelSelection', 'codeLens']);
  });

  it('every button runs one of Mixscope\'s commands or a workbench command, and opens a shipped sample', () => {
    const all = walkthrough.steps.flatMap((s) => links(s.description));
    assert.ok(all.length >= 6);
    for (const [command, args] of all) {
      assert.ok(ownCommands.has(command) || command.startsWith('workbench.action.'), command);
      if (command === 'mixscope.openSample') assert.ok(sampleById(args?.[0]), `no sample ${JSON.stringify(args)}`);
    }
    const opened = all.filter(([c]) => c === 'mixscope.openSample').map(([, a]) => a![0]);
    assert.deepEqual([...new Set(opened)].sort(), SAMPLES.map((s) => s.id).sort(), 'every sample has its button');
  });

  it('each step completes on a command it offers, and shows a page that exists', () => {
    for (const step of walkthrough.steps) {
      const commands = step.completionEvents.filter((e) => e.startsWith('onCommand:')).map((e) => e.slice('onCommand:'.length));
      assert.ok(commands.length > 0, step.id);
      for (const c of commands) assert.ok(ownCommands.has(c) || c.startsWith('workbench.action.'), c);
      assert.ok(fs.existsSync(path.join(root, step.media.markdown!)), step.media.markdown);
    }
    assert.deepEqual(walkthroughFiles(), walkthrough.steps.map((s) => s.media.markdown));
  });

  it('the samples exist, and their settings are valid fit options', () => {
    for (const sample of SAMPLES) {
      assert.ok(fs.existsSync(path.join(root, SAMPLES_FOLDER, sample.file)), sample.file);
      assert.deepEqual(validateFitOptions(sample.options, 'engine').problems, [], sample.id);
    }
    assert.equal(sampleById('nope'), undefined);
  });

  it('the sample script names each sample in a string the code lenses find', () => {
    const text = fs.readFileSync(path.join(root, SAMPLES_FOLDER, SAMPLE_SCRIPT), 'utf8');
    assert.deepEqual(findDataLiterals(text, 'python').map((l) => l.path), SAMPLES.map((s) => s.file));
  });

  it('command links carry their arguments as URI-encoded JSON', () => {
    assert.equal(commandLink('mixscope.openSample', ['faithful']), 'command:mixscope.openSample?%5B%22faithful%22%5D');
    assert.equal(commandLink('mixscope.openSampleScript'), 'command:mixscope.openSampleScript');
  });
});
