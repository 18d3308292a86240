// The engine worker (dist/worker.js): one fit per worker. The host transfers the file's bytes, the worker parses,
// fits and streams progress; the host cancels by terminating the worker, so no cancellation checks are needed here.
// Requests that need a reply (`inspect`: the columns of a file, nothing fitted) are answered with their requestId. A run may apply a saved model instead of fitting (`start` with `apply`):
// the same events, so the panel shows the model's clusters on the file as it shows a fit.

import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { createDispatcher, type ColumnListing, type HostToWorker, type InspectRequest, type WorkerReply, type WorkerToHost } from '../shared/protocol';
import { inspectDatasetAsync, loadDatasetAsync } from './data/load';
import { DataError, describeError } from './errors';
import { fitDataset } from './fit';
import { fitOutOfCore } from './outOfCore';
import { applyModel } from './model/apply';
import { loadForModel } from './model/predict';
import { parseSavedModel } from './model/schema';

if (!parentPort) throw new Error('worker.js must be started as a worker thread');
const port = parentPort;
const post = (message: WorkerToHost) => port.postMessage(message);
const reply = (message: WorkerReply) => port.postMessage(message);
type StartMessage = Extract<HostToWorker, { type: 'start' }>;
// A model selection's threads run dist/selectWorker.js, bundled beside this worker (a thread that cannot start
// only leaves its cells to this one). They are this thread's own workers: when the host terminates this thread to
// cancel, they end with it.
const selectWorkerScript = path.join(__dirname, 'selectWorker.js');
const STREAM_PROGRESS_MS = 200;

/** The columns the loader finds in (the start of) the file, as a fit would read them; nothing is fitted. */
async function listColumns(m: InspectRequest): Promise<ColumnListing> {
  const inspection = await inspectDatasetAsync(m.bytes, m.fileName, { sheet: m.options.sheet });
  return {
    columns: inspection.columns.filter((c) => c.numeric).map((c) => c.name),
    droppedColumns: inspection.columns.filter((c) => !c.numeric).map((c) => ({ name: c.name, reason: c.reason ?? 'not numeric' })),
    imageShape: inspection.imageShape,
    notes: inspection.notes,
    ...(inspection.sheets ? { sheets: inspection.sheets } : {}),
  };
}

/** A saved model shown on the file as a run: `loaded`, the one E-step's `progress`, then `done` (or `error`). */
async function applyToFile(m: StartMessage): Promise<void> {
  const apply = m.apply!;
  try {
    const model = parseSavedModel(apply.modelText, apply.modelFileName);
    const dataset = await loadForModel(model, m.fileName, m.bytes, { labelBytes: m.labelBytes, labelFileName: m.labelFileName });
    const outcome = applyModel(model, dataset, apply.modelFileName, { maxPlotPoints: m.options.maxPlotPoints }, {
      onLoaded: (info) => post({ type: 'loaded', runId: m.runId, ...info }),
      onProgress: (p) => post({ type: 'progress', runId: m.runId, ...p }),
    });
    post({ type: 'done', runId: m.runId, result: outcome.result, plotAssignments: outcome.plotAssignments, examples: outcome.examples });
  } catch (error) {
    // A problem with the model file names the model file, not the data file.
    const about = error instanceof DataError && error.fileName === apply.modelFileName ? apply.modelFileName : m.fileName;
    post({ type: 'error', runId: m.runId, ...describeError(error, about) });
  }
}

port.on(
  'message',
  createDispatcher<HostToWorker>({
    start: async (m) => {
      if (m.apply) {
        await applyToFile(m);
        return;
      }
      try {
        const dataset = await loadDatasetAsync(m.fileName, m.bytes, {
          columns: m.options.columns,
          imageWidth: m.options.imageWidth || undefined,
          sheet: m.options.sheet,
          labelColumn: m.options.labelColumn,
          weightsColumn: m.options.weightsColumn,
          missing: m.options.missing,
          categorical: m.options.categorical,
          categoryLimit: m.options.categoryLimit,
          labelBytes: m.labelBytes,
          labelFileName: m.labelFileName,
        });
        const outcome = fitDataset(
          dataset,
          m.options,
          {
            onLoaded: (info) => post({ type: 'loaded', runId: m.runId, ...info }),
            onProgress: (p) => post({ type: 'progress', runId: m.runId, ...p }),
            onSelectionProgress: (p) => post({ type: 'selectionProgress', runId: m.runId, ...p }),
          },
          { selectWorkerScript },
        );
        post({ type: 'done', runId: m.runId, result: outcome.result, plotAssignments: outcome.plotAssignments, examples: outcome.examples });
      } catch (error) {
        post({ type: 'error', runId: m.runId, ...describeError(error, m.fileName) });
      }
    },
    startOutOfCore: async (m) => {
      // Parse and pass progress at most every STREAM_PROGRESS_MS (and at each one's end): a chunk can take microseconds.
      let last = 0;
      const stream = (phase: 'parse' | 'pass', done: number, total: number, pass?: number) => {
        const now = Date.now();
        if (done < total && now - last < STREAM_PROGRESS_MS) return;
        last = now;
        post({ type: 'streamProgress', runId: m.runId, phase, done, total, ...(pass === undefined ? {} : { pass }) });
      };
      try {
        const outcome = await fitOutOfCore(
          m.filePath,
          m.options,
          m.memoryBudgetMB,
          {
            onLoaded: (info) => post({ type: 'loaded', runId: m.runId, ...info }),
            onProgress: (p) => post({ type: 'progress', runId: m.runId, ...p }),
            // A model selection draws its chart as in memory, one candidate at a time.
            onSelectionProgress: (p) => post({ type: 'selectionProgress', runId: m.runId, ...p }),
          },
          {
            // The host removes the folder if this thread is terminated (Cancel) before it could.
            settingPrefix: 'mixscope.',
            onStore: (dir) => post({ type: 'storeCreated', runId: m.runId, dir }),
            onParseProgress: (read, size) => stream('parse', read, size),
            onPassProgress: (pass, rows, n) => stream('pass', rows, n, pass),
          },
        );
        post({ type: 'done', runId: m.runId, result: outcome.result, plotAssignments: outcome.plotAssignments });
      } catch (error) {
        post({ type: 'error', runId: m.runId, ...describeError(error, m.fileName) });
      }
    },
    cancel: () => process.exit(0),
    inspect: async (m) => {
      try {
        reply({ type: 'inspected', requestId: m.requestId, listing: await listColumns(m) });
      } catch (error) {
        reply({ type: 'requestFailed', requestId: m.requestId, ...describeError(error, m.fileName) });
      }
    },
  }),
);
