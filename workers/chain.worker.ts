/**
 * The chain worker: a thin entry that runs one chain task (src/parallel/chainTask.ts) and reports
 * progress through the port it was given.
 */
import type { MessagePort } from 'node:worker_threads';
import { executeChain, type ChainResult, type ChainTask } from '../src/parallel/chainTask.js';

export default function runTask({ task, port }: { task: ChainTask; port: MessagePort }): ChainResult {
  let last = 0;
  try {
    return executeChain(task, (e) => {
      const now = Date.now();
      if (now - last >= 200 || e.iteration === e.iterations) {
        last = now;
        port.postMessage(e);
      }
    });
  } finally {
    port.close();
  }
}
