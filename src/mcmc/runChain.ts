/**
 * The single driver (DESIGN.md principle 1): burn-in, thinning, interrupt, progress and output live
 * here and nowhere else. Blocks only init/update/record.
 */
import type { RandomSource } from '../rng/rng.js';
import type { ChainProgress } from '../types.js';
import type { Block, Tracker } from './block.js';
import { RunningMoments } from './moments.js';
import type { DrawSink, TrackerSink } from './sink.js';
import type { ChainState } from './state.js';

/** A ready-to-run sampler of one chain: the blocks in sweep order, their traced names, the trackers, and the state they update. */
export interface Sampler {
  readonly blocks: readonly Block[];
  readonly params: readonly string[];
  readonly trackers: readonly Tracker[];
  readonly state: ChainState;
}

export interface ChainSettings {
  /** Total iterations, burn-in included. */
  iterations: number;
  burnin: number;
  thin: number;
}

/** Something that says stop: an AbortSignal, or a flag shared with another thread. */
export interface StopFlag {
  readonly aborted: boolean;
}

export interface RunChainOptions {
  /** The chain's index, passed to progress events. */
  chain?: number;
  /** Iterations already done (resume): init is skipped and the state is taken as it is. */
  startIteration?: number;
  /** Moments carried over from a checkpoint, one per tracker. */
  moments?: RunningMoments[];
  onProgress?: (e: ChainProgress) => void;
  /** How often to call onProgress, in iterations. */
  progressEvery?: number;
  /** Checked once per iteration; when set the chain stops after the current sweep. */
  signal?: StopFlag;
  /** Called after each sweep with the state (tests use it to check invariants). */
  afterSweep?: (state: ChainState, iteration: number) => void;
  /** Keep the draws of some trackers (e.g. the marker effects). */
  trackerSinks?: readonly TrackerSink[];
  /** Called after each kept draw, once the sink and trackers have it (checkpointing hooks in here). */
  afterKeep?: (state: ChainState, iteration: number, moments: readonly RunningMoments[]) => void;
}

export interface ChainOutcome {
  /** Iterations completed (burn-in included). */
  iteration: number;
  interrupted: boolean;
  moments: RunningMoments[];
}

/** Number of kept draws of a chain: iterations with (it − burnin) a positive multiple of thin. */
export function keptDraws(s: ChainSettings): number {
  return Math.floor((s.iterations - s.burnin) / s.thin);
}

/** Kept draws among the first `iteration` iterations. */
export function keptBefore(s: ChainSettings, iteration: number): number {
  return iteration > s.burnin ? Math.floor((iteration - s.burnin) / s.thin) : 0;
}

/**
 * Run one chain: init (unless resuming), then sweeps up to `iterations`. After burn-in, every
 * `thin`-th sweep is kept: its traced parameters go to the sink and the trackers' moments are
 * updated. Kept iterations are those with (iteration − burnin) a positive multiple of thin
 * (1-based iterations), so a resumed or extended chain keeps exactly the draws an uninterrupted
 * one would.
 */
export function runChain(sampler: Sampler, rng: RandomSource, settings: ChainSettings, sink: DrawSink, opts: RunChainOptions = {}): ChainOutcome {
  const state = sampler.state;
  const { iterations, burnin, thin } = settings;
  const blocks = sampler.blocks;
  const trackers = sampler.trackers;
  const moments = opts.moments ?? trackers.map((t) => new RunningMoments(t.labels.length));
  const buffers = trackers.map((t) => new Float64Array(t.labels.length));
  const row = new Float64Array(sampler.params.length);
  const offsets = new Int32Array(blocks.length);
  for (let b = 1; b < blocks.length; b++) offsets[b] = offsets[b - 1] + blocks[b - 1].params.length;
  const chain = opts.chain ?? 0;
  const every = Math.max(1, opts.progressEvery ?? Math.ceil(iterations / 100));
  const sinks = opts.trackerSinks ?? [];

  let it = opts.startIteration ?? 0;
  let kept = keptBefore(settings, it);
  if (it === 0) for (const b of blocks) b.init(state, rng);
  sink.header(sampler.params);
  opts.onProgress?.({ chain, iteration: it, iterations });
  let interrupted = false;
  while (it < iterations) {
    if (opts.signal?.aborted) {
      interrupted = true;
      break;
    }
    for (let b = 0; b < blocks.length; b++) blocks[b].update(state, rng);
    it++;
    if (opts.afterSweep) opts.afterSweep(state, it);
    if (it > burnin && (it - burnin) % thin === 0) {
      for (let b = 0; b < blocks.length; b++) blocks[b].record(state, row, offsets[b]);
      sink.row(it, row);
      for (let t = 0; t < trackers.length; t++) {
        trackers[t].read(state, buffers[t]);
        moments[t].push(buffers[t]);
      }
      kept++;
      for (const ts of sinks) if (kept % ts.every === 0) ts.push(buffers[ts.tracker]);
      if (opts.afterKeep) opts.afterKeep(state, it, moments);
    }
    if (opts.onProgress && (it % every === 0 || it === iterations)) opts.onProgress({ chain, iteration: it, iterations });
  }
  sink.end();
  return { iteration: it, interrupted, moments };
}
