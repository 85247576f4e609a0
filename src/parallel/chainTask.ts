/**
 * One chain as a self-contained task: what the worker entry runs, and what the in-process path
 * runs, so that both give bit-identical draws. Everything in a task is plain data (the design's
 * arrays are shared memory), so it can be posted to a worker thread.
 *
 * With an output directory the chain streams its draws to draws/chain-K.csv, its marker-effect draws
 * to effects/chain-K.f32, and checkpoints its full state (parameters, RNG state, iteration, running
 * moments, rows written) to checkpoints/chain-K.json each time it flushes: at least every 1,000 kept
 * draws or 10 s, and when it stops. A resumed chain restores the checkpoint and continues as if it
 * had never stopped.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Design } from '../model/design.js';
import { buildSampler, type SamplerSettings } from '../mcmc/sampler.js';
import { runChain, type ChainSettings, type ProgressEvent, type StopFlag, type TrackerSink } from '../mcmc/runChain.js';
import { stateArrays, type ChainState } from '../mcmc/state.js';
import { chainRng, Rng } from '../rng/rng.js';
import { MemorySink } from '../output/sink.js';
import { CsvDrawSink } from '../output/csvSink.js';
import { RunningMoments } from '../output/moments.js';
import { writeFileAtomic } from '../output/files.js';
import { readChainFiles } from '../io/draws.js';

export interface ChainTask {
  design: Design;
  settings: SamplerSettings;
  /** 0-based chain index; the chain's stream is chainRng(seed, chain). */
  chain: number;
  seed: number;
  mcmc: ChainSettings;
  /** Keep every `saveEvery`-th kept draw of the marker effects (0 or undefined: none). */
  saveEvery?: number;
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
  /** Test hook: throw at this iteration. */
  faultAt?: number;
}

export interface ChainResult {
  chain: number;
  seed: number;
  params: string[];
  iterations: number[];
  draws: Float64Array[];
  completed: number;
  interrupted: boolean;
  moments: { count: number; mean: Float64Array; m2: Float64Array }[];
  /** Saved marker-effect draws, rows × p, Float32. */
  effects?: { every: number; size: number; rows: number; values: Float32Array };
}

interface Checkpoint {
  iteration: number;
  rng: number[];
  state: number[][];
  moments: { count: number; mean: number[]; m2: number[] }[];
  drawRows: number;
  effectRows: number;
  status: 'running' | 'finished' | 'interrupted';
}

export function checkpointPath(outDir: string, chain: number): string {
  return join(outDir, 'checkpoints', `chain-${chain + 1}.json`);
}

export function drawsPath(outDir: string, chain: number): string {
  return join(outDir, 'draws', `chain-${chain + 1}.csv`);
}

export function effectsPath(outDir: string, chain: number): string {
  return join(outDir, 'effects', `chain-${chain + 1}.f32`);
}

/** The checkpoint of a chain, if it has one. */
export function readCheckpoint(outDir: string, chain: number): Checkpoint | undefined {
  const f = checkpointPath(outDir, chain);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Checkpoint) : undefined;
}

/** Appends Float32 rows to a file as they are flushed. */
class EffectFile {
  private fd: number;
  private position: number;
  private chunks: Float32Array[] = [];
  rows: number;

  constructor(file: string, size: number, keepRows: number | undefined) {
    if (keepRows !== undefined && existsSync(file)) {
      this.fd = openSync(file, 'r+');
      this.position = keepRows * size * 4;
      ftruncateSync(this.fd, this.position);
      this.rows = keepRows;
    } else {
      this.fd = openSync(file, 'w');
      this.position = 0;
      this.rows = 0;
    }
  }

  push(values: Float64Array): void {
    this.chunks.push(Float32Array.from(values));
  }

  flush(): void {
    for (const c of this.chunks) {
      this.position += writeSync(this.fd, new Uint8Array(c.buffer), 0, c.byteLength, this.position);
      this.rows++;
    }
    this.chunks = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Run one chain task to the end (or until stopped), in the calling thread. */
export function executeChain(task: ChainTask, onProgress?: (e: ProgressEvent) => void, onSweep?: (state: ChainState, iteration: number) => void): ChainResult {
  const sampler = buildSampler(task.design, task.settings);
  const state = sampler.createState();
  const effectIndex = sampler.trackers.findIndex((t) => t.name === 'snp');
  const p = effectIndex >= 0 ? sampler.trackers[effectIndex].labels.length : 0;
  const every = task.saveEvery ?? 0;
  const stop: StopFlag | undefined = task.stop ? { get aborted() { return Atomics.load(task.stop!, 0) === 1; } } : undefined;
  const faultAt = task.faultAt;
  const afterSweep =
    faultAt !== undefined || onSweep
      ? (s: ChainState, it: number) => {
          if (it === faultAt) throw new Error(`injected fault at iteration ${it}`);
          onSweep?.(s, it);
        }
      : undefined;

  let rng: Rng = chainRng(task.seed, task.chain);
  let start = 0;
  let moments: RunningMoments[] | undefined;
  // A checkpoint at iteration 0 (a chain stopped before its first sweep) is a fresh start.
  const saved = task.resume && task.outDir ? readCheckpoint(task.outDir, task.chain) : undefined;
  const ck = saved && saved.iteration > 0 ? saved : undefined;
  if (ck) {
    rng = Rng.fromState(Uint32Array.from(ck.rng));
    stateArrays(state).forEach((a, k) => a.set(ck.state[k]));
    moments = ck.moments.map((m) => RunningMoments.fromJSON(m));
    start = ck.iteration;
  }

  if (!task.outDir) {
    const sink = new MemorySink();
    const kept: Float32Array[] = [];
    const trackerSink: TrackerSink | undefined = every > 0 && effectIndex >= 0 ? { name: 'snp', every, push: (v) => kept.push(Float32Array.from(v)) } : undefined;
    const out = runChain(sampler, state, rng, task.mcmc, sink, { chain: task.chain, onProgress, signal: stop, afterSweep, trackerSink });
    const values = new Float32Array(kept.length * p);
    kept.forEach((row, r) => values.set(row, r * p));
    return {
      chain: task.chain,
      seed: task.seed,
      params: [...sampler.params],
      iterations: sink.iterations,
      draws: sink.draws(),
      completed: out.iteration,
      interrupted: out.interrupted,
      moments: out.moments.map((m) => ({ count: m.count, mean: m.mean, m2: m.m2 })),
      effects: trackerSink ? { every, size: p, rows: kept.length, values } : undefined,
    };
  }

  const dir = task.outDir;
  for (const sub of ['draws', 'checkpoints', 'effects']) mkdirSync(join(dir, sub), { recursive: true });
  const csv = new CsvDrawSink(drawsPath(dir, task.chain), task.meta ?? {}, ck ? ck.iteration : undefined);
  const effects = every > 0 && effectIndex >= 0 ? new EffectFile(effectsPath(dir, task.chain), p, ck ? ck.effectRows : undefined) : undefined;
  const flushDraws = task.flush?.draws ?? 1000;
  const flushMs = task.flush?.ms ?? 10_000;
  let lastFlush = Date.now();
  let current = moments ?? sampler.trackers.map((t) => new RunningMoments(t.labels.length));
  const checkpoint = (iteration: number, status: Checkpoint['status']): void => {
    csv.flush();
    effects?.flush();
    const c: Checkpoint = {
      iteration,
      rng: Array.from(rng.saveState()),
      state: stateArrays(state).map((a) => Array.from(a)),
      moments: current.map((m) => m.toJSON()),
      drawRows: csv.rowsWritten,
      effectRows: effects?.rows ?? 0,
      status,
    };
    writeFileAtomic(checkpointPath(dir, task.chain), JSON.stringify(c));
    lastFlush = Date.now();
  };
  const trackerSink: TrackerSink | undefined = effects ? { name: 'snp', every, push: (v) => effects.push(v) } : undefined;
  let out;
  try {
    out = runChain(sampler, state, rng, task.mcmc, csv, {
      chain: task.chain,
      startIteration: start,
      moments,
      onProgress,
      signal: stop,
      afterSweep,
      trackerSink,
      afterKeep: (_s, it, m) => {
        current = m as RunningMoments[];
        if (csv.pending >= flushDraws || Date.now() - lastFlush >= flushMs) checkpoint(it, 'running');
      },
    });
  } finally {
    csv.close();
    effects?.close();
  }
  current = out.moments;
  checkpoint(out.iteration, out.interrupted ? 'interrupted' : 'finished');
  const back = readChainFiles([drawsPath(dir, task.chain)]);
  const iterations = readIterations(drawsPath(dir, task.chain));
  const effectValues = effects ? readEffects(effectsPath(dir, task.chain), p) : undefined;
  return {
    chain: task.chain,
    seed: task.seed,
    params: [...back.names],
    iterations,
    draws: [...(back.chains[0] ?? [])],
    completed: out.iteration,
    interrupted: out.interrupted,
    moments: out.moments.map((m) => ({ count: m.count, mean: m.mean, m2: m.m2 })),
    effects: effectValues ? { every, size: p, rows: effectValues.length / Math.max(1, p), values: effectValues } : undefined,
  };
}

function readIterations(file: string): number[] {
  const out: number[] = [];
  let header = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (!header) {
      header = true;
      continue;
    }
    out.push(Number(line.slice(0, line.indexOf(','))));
  }
  return out;
}

function readEffects(file: string, p: number): Float32Array {
  const buf = readFileSync(file);
  const rows = Math.floor(buf.length / (4 * p));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + rows * p * 4));
}
