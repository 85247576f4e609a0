/**
 * Saved draws of a marker set's effects: Float32 rows appended to effects/…/chain-K.f32 as the chain
 * flushes, so that `predict` can give posterior SDs of new individuals' GEBVs.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { MixmcError } from '../errors.js';
import { onPath } from './environment.js';

export class EffectFile {
  private readonly fd: number;
  private position: number;
  private chunks: Float32Array[] = [];
  rows: number;

  /**
   * @param keepRows when resuming: the file must hold this many rows (the checkpoint's count); the
   *   rest is dropped. Undefined starts a new file.
   */
  constructor(
    private readonly file: string,
    size: number,
    keepRows: number | undefined,
  ) {
    if (keepRows !== undefined) {
      checkEffectRows(file, size, keepRows);
      this.fd = onPath(file, 'open the effects file', () => openSync(file, existsSync(file) ? 'r+' : 'w'));
      this.position = keepRows * size * 4;
      onPath(file, 'cut the effects file back to its checkpoint', () => ftruncateSync(this.fd, this.position));
      this.rows = keepRows;
    } else {
      this.fd = onPath(file, 'create the effects file', () => openSync(file, 'w'));
      this.position = 0;
      this.rows = 0;
    }
  }

  push(values: Float64Array): void {
    this.chunks.push(Float32Array.from(values));
  }

  flush(): void {
    onPath(this.file, 'write the effect draws', () => {
      for (const c of this.chunks) {
        this.position += writeSync(this.fd, new Uint8Array(c.buffer), 0, c.byteLength, this.position);
        this.rows++;
      }
    });
    this.chunks = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * An effects file holds at least `rows` rows of `size` values (what the checkpoint counted).
 * @throws MixmcError naming the file when it is missing or cut short.
 */
export function checkEffectRows(file: string, size: number, rows: number): void {
  const have = existsSync(file) ? statSync(file).size : 0;
  if (have < rows * size * 4) {
    throw new MixmcError(
      `the effect draws cannot be resumed: the file holds ${Math.floor(have / (4 * size))} rows but the checkpoint counts ${rows}; start the run again with --force`,
      {
        file,
      },
    );
  }
}

/** The first whole rows of an effects file, as Float32 values. */
export function readEffectRows(file: string, size: number): Float32Array {
  const buf = readFileSync(file);
  const rows = Math.floor(buf.length / (4 * Math.max(1, size)));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + rows * size * 4));
}
