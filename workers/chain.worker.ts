/**
 * The chain worker: a thin entry that runs one chain task (src/parallel/chainTask.ts), reports
 * progress through the port it was given, and returns the chain's result or its fault.
 */
import type { MessagePort } from 'node:worker_threads';
import { type ChainFault, type ChainResult, type ChainTask, END_OF_PROGRESS, runTask } from '../src/parallel/chainTask.js';

export default function chainWorker({ task, port }: { task: ChainTask; port: MessagePort }): ChainResult | ChainFault {
  let last = 0;
  try {
    return runTask(task, (e) => {
      const now = Date.now();
      if (now - last >= 200 || e.iteration === e.iterations) {
        last = now;
        port.postMessage(e);
      }
    });
  } finally {
    port.postMessage(END_OF_PROGRESS);
    port.close();
  }
}
