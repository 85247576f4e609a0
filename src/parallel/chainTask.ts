/**
 * One chain as a self-contained task: what the worker entry runs, and what the in-process path
 * runs, so that both give bit-identical draws. Everything in a task is plain data (the design's
 * arrays are shared memory), so it can be posted to a worker thread.
 *
 * The chain's draws come back through a memory sink; with an output directory a CSV sink is teed
 * beside it (draws/chain-K.csv), each marker set's saved effects go to effects/, and the chain
 * checkpoints its full state (checkpoint.ts) each time it flushes: at least every 1,000 kept draws or
 * 10 s, and when it stops. A resumed chain restores its checkpoint, keeps the draws written up to it,
 * and continues as if it had never stopped.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { replicateKey, replicateStream } from '../blocks/replicates.js';
import { buildSampler, type ChainLayout, type SamplerSettings } from '../blocks/sampler.js';
import type { Design } from '../model/design.js';
import { RunningMoments } from '../mcmc/moments.js';
import { runChain, type ChainSettings, type RunChainOptions, type StopFlag } from '../mcmc/runChain.js';
import type { DrawSink, TrackerSink } from '../mcmc/sink.js';
import { stateArrays, type ChainState } from '../mcmc/state.js';
import { type Checkpoint, type CheckpointShape, checkpointPath, drawsPath, effectsPath, readCheckpoint, writeCheckpoint } from '../output/checkpoint.js';
import { onPath } from '../output/environment.js';
import { MixmcError } from '../errors.js';
import { CsvDrawSink } from '../output/csvSink.js';
import { EffectFile, readEffectRows } from '../output/effectFile.js';
import { MemorySink, TeeSink } from '../output/memorySink.js';
import { chainRng, Rng } from '../rng/rng.js';
import type { ChainDraws, ChainProgress, SavedEffects } from '../types.js';

export interface ChainTask {
  design: Design;
  settings: SamplerSettings;
  layout: ChainLayout;
  /** 0-based chain index; the chain's stream is chainRng(seed, chain). */
  chain: number;
  seed: number;
  mcmc: ChainSettings;
  /** Per marker set: keep every `saveEvery[s]`-th kept draw of its effects (0: none). */
  saveEvery: readonly number[];
  /** Stream draws and checkpoints into this run directory. */
  outDir?: string;
  /** Comment lines of the draws file. */
  meta?: Record<string, string | number>;
  /** Continue from the checkpoint in outDir. */
  resume?: boolean;
  /** Shared stop flag: element 0 set to 1 stops the chain after its current sweep. */
  stop?: Int32Array;
  /** Flush (and checkpoint) after this many kept draws or this many ms, whichever comes first. */
  flush?: { draws: number; ms: number };
  /** Fault injection for tests: throw at this iteration (set only through fitModel's RunHooks). */
  faultAt?: number;
}

/** Test hooks of a chain: they run in the thread that runs the chain. */
export interface ChainHooks {
  /** Called after every sweep with the state. */
  afterSweep?: (state: ChainState, iteration: number) => void;
}

/** The chain worker's last message on its progress port (pool.ts waits for it). */
export const END_OF_PROGRESS = 'end of progress';

/** Running moments as plain typed arrays (structured clone moves them between threads as they are). */
export interface MomentsData {
  count: number;
  mean: Float64Array;
  m2: Float64Array;
}

/** A chain's draws with its trackers' running moments. */
export interface ChainResult extends ChainDraws {
  moments: MomentsData[];
}

/** Run one chain task to the end (or until stopped), in the calling thread. */
export function executeChain(task: ChainTask, onProgress?: (e: ChainProgress) => void, hooks: ChainHooks = {}): ChainResult {
  const sampler = buildSampler(task.design, task.settings);
  // the chain's replicate stream, beside its own (a resumed chain then takes both from its checkpoint)
  sampler.state.replicates?.set(replicateStream(replicateKey(task.seed, task.chain)));
  const { layout } = task;
  if (sampler.params.length !== layout.params.length || sampler.params.some((p, j) => p !== layout.params[j])) {
    throw new Error(`the sampler traces [${sampler.params.join(', ')}] but its layout says [${layout.params.join(', ')}]`);
  }
  const stop: StopFlag | undefined = task.stop
    ? {
        get aborted() {
          return Atomics.load(task.stop!, 0) === 1;
        },
      }
    : undefined;
  const faultAt = task.faultAt;
  const onSweep = hooks.afterSweep;
  const afterSweep =
    faultAt !== undefined || onSweep
      ? (s: ChainState, it: number) => {
          if (it === faultAt) throw new Error(`injected fault at iteration ${it}`);
          onSweep?.(s, it);
        }
      : undefined;
  const saved = layout.roles.markerSets.map((r, s) => ({ tracker: r.effects, size: layout.trackerSizes[r.effects], every: task.saveEvery[s] ?? 0 }));
  const common: RunChainOptions = { chain: task.chain, onProgress, signal: stop, afterSweep };
  if (!task.outDir) {
    const memory = new MemorySink();
    const kept = saved.map(() => [] as Float32Array[]);
    const sinks: TrackerSink[] = saved.flatMap((s, k) =>
      s.every > 0 ? [{ tracker: s.tracker, every: s.every, push: (v: Float64Array) => kept[k].push(Float32Array.from(v)) }] : [],
    );
    const out = runChain(sampler, chainRng(task.seed, task.chain), task.mcmc, memory, { ...common, trackerSinks: sinks });
    return result(
      task,
      memory,
      out,
      saved.map((s, k) => (s.every > 0 ? stack(kept[k], s.size, s.every) : undefined)),
    );
  }
  return executeInRunDir(task, task.outDir, sampler, saved, common);
}

/** The chain with its run directory: draws teed to memory and CSV, effects to files, checkpoints. */
function executeInRunDir(
  task: ChainTask,
  dir: string,
  sampler: ReturnType<typeof buildSampler>,
  saved: { tracker: number; size: number; every: number }[],
  common: RunChainOptions,
): ChainResult {
  const { state } = sampler;
  let rng: Rng = chainRng(task.seed, task.chain);
  // A checkpoint at iteration 0 (a chain stopped before its first sweep) is a fresh start.
  const found = task.resume ? readCheckpoint(dir, task.chain, checkpointShape(task, state)) : undefined;
  const ck = found && found.iteration > 0 ? found : undefined;
  let moments: RunningMoments[] | undefined;
  if (ck) {
    rng = Rng.fromState(Uint32Array.from(ck.rng));
    stateArrays(state).forEach((a, k) => a.set(ck.state[k]));
    moments = ck.moments.map((m) => RunningMoments.fromJSON(m));
  }
  for (const f of [drawsPath(dir, task.chain), checkpointPath(dir, task.chain)])
    onPath(dirname(f), 'create a folder of the run', () => mkdirSync(dirname(f), { recursive: true }));
  const csv = new CsvDrawSink(
    drawsPath(dir, task.chain),
    task.meta ?? {},
    ck ? { upTo: ck.iteration, rows: ck.drawRows, names: task.layout.params } : undefined,
  );
  const memory = new MemorySink(csv.earlier);
  const sink: DrawSink = new TeeSink([memory, csv]);
  const names = task.design.markers.map((md) => md.name);
  const files = saved.map((s, k) => {
    if (s.every === 0) return undefined;
    const f = effectsPath(dir, task.chain, names[k]);
    onPath(dirname(f), 'create a folder of the run', () => mkdirSync(dirname(f), { recursive: true }));
    return new EffectFile(f, s.size, ck ? ck.effectRows[k] : undefined);
  });
  const sinks: TrackerSink[] = saved.flatMap((s, k) => {
    const f = files[k];
    return f ? [{ tracker: s.tracker, every: s.every, push: (v: Float64Array) => f.push(v) }] : [];
  });
  const flushDraws = task.flush?.draws ?? 1000;
  const flushMs = task.flush?.ms ?? 10_000;
  let lastFlush = Date.now();
  let current = moments ?? task.layout.trackerSizes.map((n) => new RunningMoments(n));
  const checkpoint = (iteration: number, status: Checkpoint['status']): void => {
    csv.flush();
    for (const f of files) f?.flush();
    writeCheckpoint(dir, task.chain, {
      iteration,
      rng: Array.from(rng.saveState()),
      state: stateArrays(state).map((a) => Array.from(a)),
      moments: current.map((m) => m.toJSON()),
      drawRows: csv.rowsWritten,
      effectRows: files.map((f) => f?.rows ?? 0),
      status,
    });
    lastFlush = Date.now();
  };
  let out: ReturnType<typeof runChain>;
  try {
    out = runChain(sampler, rng, task.mcmc, sink, {
      ...common,
      startIteration: ck?.iteration ?? 0,
      moments,
      trackerSinks: sinks,
      afterKeep: (_s, it, m) => {
        current = m as RunningMoments[];
        if (csv.pending >= flushDraws || Date.now() - lastFlush >= flushMs) checkpoint(it, 'running');
      },
    });
  } finally {
    csv.close();
    for (const f of files) f?.close();
  }
  current = out.moments;
  checkpoint(out.iteration, out.interrupted ? 'interrupted' : 'finished');
  const effects = saved.map((s, k) => {
    if (s.every === 0) return undefined;
    const values = readEffectRows(effectsPath(dir, task.chain, names[k]), s.size);
    return { every: s.every, size: s.size, rows: values.length / Math.max(1, s.size), values };
  });
  return result(task, memory, out, effects);
}

/** What a checkpoint of this chain must look like. */
export function checkpointShape(task: ChainTask, state: ChainState): CheckpointShape {
  return {
    iterations: task.mcmc.iterations,
    state: stateArrays(state).map((a) => a.length),
    trackers: task.layout.trackerSizes,
    sets: task.design.markers.length,
  };
}

/** A chain that stopped on an error: what the caller reports (an environment error is the user's, e.g. a full disk). */
export interface ChainFault {
  fault: { message: string; environment: boolean };
}

/**
 * executeChain, with an error returned as data (so that it crosses a worker boundary with its kind):
 * a MixmcError (a file the chain could not write, a checkpoint it could not use) is an environment
 * or input fault, anything else a bug.
 */
export function runTask(task: ChainTask, onProgress?: (e: ChainProgress) => void, hooks: ChainHooks = {}): ChainResult | ChainFault {
  try {
    return executeChain(task, onProgress, hooks);
  } catch (err) {
    return { fault: { message: (err as Error)?.message ?? String(err), environment: err instanceof MixmcError } };
  }
}

function result(task: ChainTask, memory: MemorySink, out: ReturnType<typeof runChain>, effects: (SavedEffects | undefined)[]): ChainResult {
  return {
    chain: task.chain,
    seed: task.seed,
    iterations: memory.iterations,
    draws: memory.draws(),
    completed: out.iteration,
    interrupted: out.interrupted,
    moments: out.moments.map((m) => ({ count: m.count, mean: m.mean, m2: m.m2 })),
    effects,
  };
}

/** Rows of Float32 values stacked into one array. */
function stack(rows: readonly Float32Array[], size: number, every: number): SavedEffects {
  const values = new Float32Array(rows.length * size);
  rows.forEach((row, r) => values.set(row, r * size));
  return { every, size, rows: rows.length, values };
}
