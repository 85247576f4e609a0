/**
 * Sinks that keep draws in memory: a chain's draws come back to the caller through one of these, teed
 * beside the draws file when the chain writes a run directory (no file is read back).
 */
import type { DrawSink } from '../mcmc/sink.js';

/** Keeps every kept draw in memory, column by column. */
export class MemorySink implements DrawSink {
  names: readonly string[] = [];
  readonly iterations: number[] = [];
  private columns: number[][] = [];

  /** Draws kept before this sink started (a resumed chain's earlier draws), column by column. */
  constructor(earlier?: { iterations: readonly number[]; columns: readonly ArrayLike<number>[] }) {
    if (earlier) {
      this.iterations.push(...earlier.iterations);
      this.columns = earlier.columns.map((c) => Array.from(c));
    }
  }

  header(names: readonly string[]): void {
    this.names = names;
    if (this.columns.length !== names.length) this.columns = names.map(() => []);
  }

  row(iteration: number, row: Float64Array): void {
    this.iterations.push(iteration);
    for (let j = 0; j < this.columns.length; j++) this.columns[j].push(row[j]);
  }

  end(): void {}

  /** The draws of each parameter, as Float64Arrays. */
  draws(): Float64Array[] {
    return this.columns.map((c) => Float64Array.from(c));
  }
}

/** Sends every call to each of its sinks, in order. */
export class TeeSink implements DrawSink {
  constructor(private readonly sinks: readonly DrawSink[]) {}

  header(names: readonly string[]): void {
    for (const s of this.sinks) s.header(names);
  }

  row(iteration: number, row: Float64Array): void {
    for (const s of this.sinks) s.row(iteration, row);
  }

  end(): void {
    for (const s of this.sinks) s.end();
  }
}
