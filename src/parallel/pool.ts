/**
 * Running chains: in worker threads through a piscina pool, or in-process (`workers: 0`, for tests
 * and debugging). Both run the same executeChain, so a chain's draws do not depend on where it ran.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { chainKey } from '../rng/rng.js';
import type { ChainProgress, ProgressEvent } from '../types.js';
import { type ChainFault, type ChainHooks, type ChainResult, type ChainTask, END_OF_PROGRESS, runTask } from './chainTask.js';

/** A compiled worker entry (dist/workers/NAME), found from the package root. */
export function workerFile(name = 'chain.worker.js'): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    const candidate = join(dir, 'dist', 'workers', name);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`cannot find dist/workers/${name}: run \`npm run build\` first`);
}

/** The young generation of a chain worker's heap, in MB (the old generation is not limited). */
const YOUNG_GENERATION_MB = 4;

/** A pool of chain workers that several fits can share (examples/many-runs.ts). */
export class ChainPool {
  private readonly piscina: Piscina;
  readonly threads: number;

  constructor(threads: number) {
    this.threads = threads;
    // A chain's garbage is small and short-lived (a draw row, a progress event): a 4 MB young
    // generation holds it, where V8's default (16 MB semi-spaces) let each thread commit ~15 MB more.
    this.piscina = new Piscina({
      filename: workerFile(),
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 2000,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
  }

  /** Run one task; progress events arrive through a message port. */
  run(task: ChainTask, onProgress?: (e: ChainProgress) => void): Promise<ChainResult | ChainFault> {
    const { port1, port2 } = new MessageChannel();
    // The worker's last message on the port is END_OF_PROGRESS: messages arrive in order, so every
    // progress event is delivered by then (the last may arrive after the task's result). Waiting for
    // the port's 'close' instead costs the pool's idle timeout: 'close' comes when the thread exits.
    const portDone = new Promise<void>((resolve) => {
      port1.on('message', (e: ChainProgress | typeof END_OF_PROGRESS) => {
        if (e === END_OF_PROGRESS) {
          port1.close();
          resolve();
        } else onProgress?.(e);
      });
      port1.once('close', () => resolve());
    });
    const done = this.piscina.run({ task, port: port2 }, { transferList: [port2] }) as Promise<ChainResult | ChainFault>;
    return done.then(
      async (r) => {
        await portDone;
        return r;
      },
      (err) => {
        port1.close();
        throw err;
      },
    );
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

/**
 * Run `use` with a pool: `given` when there is one (left open), else a new pool of `workers` threads,
 * closed afterwards, or none when `workers` is 0 (the chains then run in this thread).
 */
export async function withPool<T>(workers: number, given: ChainPool | undefined, use: (pool: ChainPool | undefined) => Promise<T>): Promise<T> {
  const own = given === undefined && workers > 0 ? new ChainPool(workers) : undefined;
  try {
    return await use(given ?? own);
  } finally {
    await own?.close();
  }
}

/** The default number of worker threads: one per chain, at most one per core. */
export function defaultWorkers(chains: number): number {
  return Math.max(1, Math.min(chains, availableParallelism()));
}

export interface RunChainsOptions {
  /** Worker threads; 0 runs the chains one after another in this thread. */
  workers: number;
  /** A pool to use instead of a new one (it is not closed). */
  pool?: ChainPool;
  onProgress?: (e: ProgressEvent) => void;
  /** Stops every chain after its current sweep (they flush and checkpoint first). */
  signal?: AbortSignal;
  /** Test hooks of each chain; they run in this thread, so they need `workers: 0`. */
  hooks?: (chain: number) => ChainHooks;
}

/** A chain that failed, named by its index and seed; `environment` when the cause was the user's (a file it could not write or use). */
export class ChainError extends Error {
  constructor(
    readonly chain: number,
    readonly seed: number,
    cause: string,
    readonly environment: boolean,
  ) {
    super(`chain ${chain + 1} (seed ${seed}, stream '${chainKey(seed, chain)}') failed: ${cause}`);
    this.name = 'ChainError';
  }
}

function outcome(t: ChainTask, r: ChainResult | ChainFault): ChainResult | ChainError {
  return 'fault' in r ? new ChainError(t.chain, t.seed, r.fault.message, r.fault.environment) : r;
}

/**
 * Run every task; one chain failing does not stop the others. The results come back in task order,
 * each either a ChainResult or a ChainError.
 */
export async function runChains(tasks: ChainTask[], opts: RunChainsOptions): Promise<(ChainResult | ChainError)[]> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => void Atomics.store(stop, 0, 1);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const withStop = tasks.map((t) => ({ ...t, stop }));
  const given = opts.onProgress;
  const onProgress = given && ((e: ChainProgress) => given({ ...e, chains: tasks.length }));
  try {
    if (opts.hooks && (opts.workers !== 0 || opts.pool)) throw new Error('chain hooks run in this thread: use workers: 0');
    if (opts.workers === 0 && !opts.pool) {
      const out: (ChainResult | ChainError)[] = [];
      for (const t of withStop) out.push(outcome(t, runTask(t, onProgress, opts.hooks?.(t.chain))));
      return out;
    }
    const pool = opts.pool ?? new ChainPool(opts.workers);
    try {
      const settled = await Promise.allSettled(withStop.map((t) => pool.run(t, onProgress)));
      return settled.map((s, k) =>
        s.status === 'fulfilled'
          ? outcome(tasks[k], s.value)
          : new ChainError(tasks[k].chain, tasks[k].seed, (s.reason as Error)?.message ?? String(s.reason), false),
      );
    } finally {
      if (!opts.pool) await pool.close();
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
