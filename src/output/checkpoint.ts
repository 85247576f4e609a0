/**
 * A chain's checkpoint: its full state (parameters, RNG state, iteration, running moments, rows
 * written), written atomically beside its draws each time the chain flushes. A resumed chain restores
 * it and continues as if it had never stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** The checkpoint of a chain, if it has one. */
export function readCheckpoint(outDir: string, chain: number): Checkpoint | undefined {
  const f = checkpointPath(outDir, chain);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Checkpoint) : undefined;
}

export function writeCheckpoint(outDir: string, chain: number, c: Checkpoint): void {
  writeFileAtomic(checkpointPath(outDir, chain), JSON.stringify(c));
}
