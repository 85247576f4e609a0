/**
 * Saved draws of a marker set's effects: Float32 rows appended to effects/…/chain-K.f32 as the chain
 * flushes, so that `predict` can give posterior SDs of new individuals' GEBVs.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

export class EffectFile {
  private readonly fd: number;
  private position: number;
  private chunks: Float32Array[] = [];
  rows: number;

  /** @param keepRows when resuming: keep this many rows of the file and drop the rest; undefined starts a new file. */
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

/** The first whole rows of an effects file, as Float32 values. */
export function readEffectRows(file: string, size: number): Float32Array {
  const buf = readFileSync(file);
  const rows = Math.floor(buf.length / (4 * Math.max(1, size)));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + rows * size * 4));
}
