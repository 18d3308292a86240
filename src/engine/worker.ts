// The engine worker (dist/worker.js): one fit per worker. The host transfers the file's bytes, the worker parses,
// fits and streams progress; the host cancels by terminating the worker, so no cancellation checks are needed here.

import { parentPort } from 'node:worker_threads';
import { createDispatcher, type HostToWorker, type WorkerToHost } from '../shared/protocol';
import { loadDataset } from './data/load';
import { describeError } from './errors';
import { fitDataset } from './fit';

if (!parentPort) throw new Error('worker.js must be started as a worker thread');
const port = parentPort;
const post = (message: WorkerToHost) => port.postMessage(message);

port.on(
  'message',
  createDispatcher<HostToWorker>({
    start: (m) => {
      try {
        const dataset = loadDataset(m.fileName, m.bytes, {
          columns: m.options.columns,
          imageWidth: m.options.imageWidth || undefined,
          labelBytes: m.labelBytes,
          labelFileName: m.labelFileName,
        });
        const outcome = fitDataset(dataset, m.options, {
          onLoaded: (info) => post({ type: 'loaded', runId: m.runId, ...info }),
          onProgress: (p) => post({ type: 'progress', runId: m.runId, ...p }),
        });
        post({ type: 'done', runId: m.runId, result: outcome.result, plotAssignments: outcome.plotAssignments, examples: outcome.examples });
      } catch (error) {
        post({ type: 'error', runId: m.runId, ...describeError(error, m.fileName) });
      }
    },
    cancel: () => process.exit(0),
  }),
);
