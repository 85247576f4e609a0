/**
 * Draw sinks: where runChain sends the traced parameters (DESIGN.md principle 7: a header once, then
 * rows, then the end). The driver never knows whether draws go to memory, a file, or both.
 */
export interface DrawSink {
  header(names: readonly string[]): void;
  /** One kept draw; `row` is reused by the driver, so a sink must copy what it keeps. */
  row(iteration: number, row: Float64Array): void;
  /** Called when the chain stops, whether it finished or was interrupted. */
  end(): void;
}

/** Where the kept draws of one tracker go (e.g. a marker set's effects), every `every`-th kept draw. */
export interface TrackerSink {
  /** The tracker's index in the sampler's trackers. */
  readonly tracker: number;
  readonly every: number;
  /** `values` is reused by the driver: copy what is kept. */
  push(values: Float64Array): void;
}
