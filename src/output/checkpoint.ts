/**
 * A chain's checkpoint: its full state (parameters, RNG state, iteration, running moments, rows
 * written), written atomically beside its draws each time the chain flushes, with a SHA-256 of its
 * content. A resumed chain restores it only after checking the checksum and that every array has the
 * shape the model gives it, and continues as if it had never stopped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MixmcError } from '../errors.js';
import { writeFileAtomic } from './files.js';

export interface Checkpoint {
  iteration: number;
  rng: number[];
  /** stateArrays(state), in order. */
  state: number[][];
  moments: { count: number; mean: number[]; m2: number[] }[];
  drawRows: number;
  /** Rows of every marker set's effects file. */
  effectRows: number[];
  status: 'running' | 'finished' | 'interrupted';
}

/** What a checkpoint of a chain must look like. */
export interface CheckpointShape {
  /** Iterations the run may hold (the checkpoint's iteration is at most this). */
  iterations: number;
  /** Length of every state array, in order. */
  state: readonly number[];
  /** Size of every tracker's moments. */
  trackers: readonly number[];
  /** Marker sets. */
  sets: number;
}

const FORMAT = 'mixmc-checkpoint-1';

export function checkpointPath(outDir: string, chain: number): string {
  return join(outDir, 'checkpoints', `chain-${chain + 1}.json`);
}

export function drawsPath(outDir: string, chain: number): string {
  return join(outDir, 'draws', `chain-${chain + 1}.csv`);
}

/** The saved effect draws of a marker set: effects/chain-K.f32 for the unnamed set, effects/NAME/chain-K.f32 otherwise. */
export function effectsPath(outDir: string, chain: number, set: string): string {
  return set === '' ? join(outDir, 'effects', `chain-${chain + 1}.f32`) : join(outDir, 'effects', set, `chain-${chain + 1}.f32`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function writeCheckpoint(outDir: string, chain: number, c: Checkpoint): void {
  const body = JSON.stringify(c);
  writeFileAtomic(checkpointPath(outDir, chain), `{"format":"${FORMAT}","sha256":"${sha256(body)}","checkpoint":${body}}`);
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/** The first way `c` differs from `shape`, or undefined. */
function shapeProblem(c: Checkpoint, shape: CheckpointShape): string | undefined {
  if (!isCount(c.iteration) || c.iteration > shape.iterations) return `its iteration ${c.iteration} is not in 0–${shape.iterations}`;
  if (!Array.isArray(c.rng) || c.rng.length !== 130 || !c.rng.every((w) => isCount(w) && w <= 0xffffffff)) return 'its RNG state is not 130 unsigned words';
  if (!Array.isArray(c.state) || c.state.length !== shape.state.length) return `it holds ${c.state?.length} state arrays, the model has ${shape.state.length}`;
  for (let k = 0; k < shape.state.length; k++) {
    const a = c.state[k];
    if (!Array.isArray(a) || a.length !== shape.state[k]) return `state array ${k + 1} has ${a?.length} values, the model's has ${shape.state[k]}`;
    if (!a.every((v) => typeof v === 'number')) return `state array ${k + 1} holds a value that is not a number`;
  }
  if (!Array.isArray(c.moments) || c.moments.length !== shape.trackers.length)
    return `it holds ${c.moments?.length} trackers, the model has ${shape.trackers.length}`;
  for (let k = 0; k < shape.trackers.length; k++) {
    const m = c.moments[k];
    if (!m || !isCount(m.count) || m.mean?.length !== shape.trackers[k] || m.m2?.length !== shape.trackers[k])
      return `tracker ${k + 1}'s moments do not have ${shape.trackers[k]} values`;
  }
  if (!isCount(c.drawRows)) return 'its count of draws rows is not a whole number';
  if (!Array.isArray(c.effectRows) || c.effectRows.length !== shape.sets || !c.effectRows.every(isCount))
    return `it counts effect rows of ${c.effectRows?.length} marker sets, the model has ${shape.sets}`;
  return undefined;
}

/**
 * The checkpoint of a chain, if it has one, checked against its checksum and `shape`.
 * @throws MixmcError naming the file when it is not whole, not a checkpoint, or not of this model.
 */
export function readCheckpoint(outDir: string, chain: number, shape: CheckpointShape): Checkpoint | undefined {
  const file = checkpointPath(outDir, chain);
  if (!existsSync(file)) return undefined;
  const fail = (why: string): MixmcError => new MixmcError(`the checkpoint cannot be used: ${why}; start the run again with --force`, { file });
  let parsed: { format?: string; sha256?: string; checkpoint?: Checkpoint };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw fail(`it is not valid JSON (${(err as Error).message})`);
  }
  if (parsed?.format !== FORMAT || typeof parsed.sha256 !== 'string' || !parsed.checkpoint) throw fail('it is not a mixmc checkpoint');
  if (sha256(JSON.stringify(parsed.checkpoint)) !== parsed.sha256) throw fail('its content does not match its checksum (it was changed or cut)');
  const problem = shapeProblem(parsed.checkpoint, shape);
  if (problem) throw fail(problem);
  return parsed.checkpoint;
}
