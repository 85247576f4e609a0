/**
 * Draw sinks: where runChain sends the traced parameters (DESIGN.md principle 7: a header once, then
 * rows, then the end). The driver never knows whether draws go to memory, a file, or a worker port.
 */
export interface DrawSink {
  header(names: readonly string[]): void;
  /** One kept draw; `row` is reused by the driver, so a sink must copy what it keeps. */
  row(iteration: number, row: Float64Array): void;
  /** Called when the chain stops, whether it finished or was interrupted. */
  end(): void;
}

/** Keeps every kept draw in memory, column by column. */
export class MemorySink implements DrawSink {
  names: readonly string[] = [];
  readonly iterations: number[] = [];
  private columns: number[][] = [];

  header(names: readonly string[]): void {
    this.names = names;
    this.columns = names.map(() => []);
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
