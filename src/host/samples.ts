// The samples shipped inside the extension (media/samples/, written by scripts/make-samples.mjs) and the first-run
// walkthrough that opens them. package.json's `contributes.walkthroughs` is generated from WALKTHROUGH
// (scripts/generate-manifest.ts), so the steps, their buttons and the files they name have one source.
// Pure: no `vscode` import.

import type { FitOptions } from '../shared/settings';

export interface Sample {
  /** The argument of `mixscope.openSample`. */
  id: string;
  /** The file under media/samples/. */
  file: string;
  label: string;
  description: string;
  /** Applied over the user's settings for this sample (what it is for), e.g. K = 10 for the ten digits. */
  options: Partial<FitOptions>;
}

export const SAMPLES_FOLDER = 'media/samples';

export const SAMPLES: readonly Sample[] = [
  {
    id: 'faithful',
    file: 'faithful.csv',
    label: 'Old Faithful',
    description: '272 eruptions: duration and waiting time. The model selection chooses K = 3 with one shared covariance (EEE), as R\'s mclust.',
    options: {},
  },
  {
    id: 'iris',
    file: 'iris.csv',
    label: 'Iris',
    description: 'Fisher\'s 150 flowers, four measurements (the species column is text and left out). mclust\'s answer: K = 2, VEV.',
    options: {},
  },
  {
    id: 'mnist',
    file: 'mnist-2000-images-idx3-ubyte',
    label: 'MNIST digits',
    description: '2,000 handwritten digits, a Bernoulli mixture with K = 10: one mean image per cluster, scored against the labels beside them.',
    options: { k: 10, maxIterations: 50 },
  },
];

/** A sample script whose string literals name the samples beside it: the code lenses' demonstration. */
export const SAMPLE_SCRIPT = 'cluster_samples.py';

export function sampleById(id: unknown): Sample | undefined {
  return SAMPLES.find((s) => s.id === id);
}

/** A `command:` link with arguments, as markdown in a walkthrough step takes it. */
export function commandLink(command: string, args?: readonly unknown[]): string {
  return args === undefined ? `command:${command}` : `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

const sampleButtons = SAMPLES.map((s) => `[${s.label}](${commandLink('mixscope.openSample', [s.id])})`).join(' ');

export const WALKTHROUGH_ID = 'mixscope.gettingStarted';

/** package.json's `contributes.walkthroughs`. */
export function walkthroughContribution(): Record<string, unknown>[] {
  return [
    {
      id: WALKTHROUGH_ID,
      title: 'Get started with Mixscope',
      description: 'Cluster a data file with mixture models fitted by EM, and watch what the model learns.',
      steps: [
        {
          id: 'samples',
          title: 'Cluster a sample',
          description: `One click fits a sample that ships with Mixscope (no folder needs to be open); the panel opens beside the editor.\n${sampleButtons}`,
          media: { markdown: 'media/walkthrough/samples.md' },
          completionEvents: ['onCommand:mixscope.openSample'],
        },
        {
          id: 'rightClick',
          title: 'Right-click a data file',
          description: 'In the Explorer, an editor or its tab, right-click a CSV, TSV, .npy or MNIST IDX file and choose **Cluster this dataset**.',
          media: { markdown: 'media/walkthrough/right-click.md' },
          completionEvents: ['onCommand:mixscope.clusterDataset'],
        },
        {
          id: 'palette',
          title: 'Or use the command palette',
          description: `Every command is under *Mixscope:* in the palette; **with options…** asks for the model, K and columns of one run.\n[Open the palette](${commandLink('workbench.action.quickOpen', ['>Mixscope: '])})`,
          media: { markdown: 'media/walkthrough/palette.md' },
          completionEvents: ['onCommand:workbench.action.quickOpen', 'onCommand:mixscope.clusterDatasetWithOptions'],
        },
        {
          id: 'settings',
          title: 'Choose the defaults',
          description: `K, the covariance models, the iterations and the seed are settings (per user, workspace or folder).\n[Open the Mixscope settings](${commandLink('workbench.action.openSettings', ['mixscope'])})`,
          media: { markdown: 'media/walkthrough/settings.md' },
          completionEvents: ['onCommand:workbench.action.openSettings', 'onSettingChanged:mixscope.k'],
        },
        {
          id: 'modelSelection',
          title: 'Let the data choose K',
          description: `With K "auto" (the default) every K from 1 to 9 is fitted with each of mclust's covariance models, and BIC chooses.\n[See it on Old Faithful](${commandLink('mixscope.openSample', ['faithful'])})`,
          media: { markdown: 'media/walkthrough/model-selection.md' },
          completionEvents: ['onCommand:mixscope.openSample'],
        },
        {
          id: 'codeLens',
          title: 'Cluster from your code',
          description: `Above a string that names a data file in Python, R, Julia, JavaScript or TypeScript (notebook cells too), **Cluster this dataset** fits it.\n[Open a sample script](${commandLink('mixscope.openSampleScript')})`,
          media: { markdown: 'media/walkthrough/code-lens.md' },
          completionEvents: ['onCommand:mixscope.openSampleScript'],
        },
      ],
    },
  ];
}

/** The files the walkthrough's steps show (relative to the extension's root): they must be in the .vsix. */
export function walkthroughFiles(): string[] {
  const steps = (walkthroughContribution()[0].steps as { media: { markdown?: string; image?: string } }[]) ?? [];
  return steps.flatMap((s) => [s.media.markdown, s.media.image].filter((f): f is string => f !== undefined));
}
