/**
 * A draws file written as the chain runs (Stan-CSV form: '#' metadata, a header, one row per kept
 * draw). Rows are buffered and appended by `flush`; the chain task flushes at least every 1,000
 * kept draws or 10 s, so a killed run loses at most that much.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { csvField, csvNumber } from './files.js';
import type { DrawSink } from './sink.js';

export class CsvDrawSink implements DrawSink {
  private fd: number;
  private position = 0;
  private lines: string[] = [];
  private wroteHeader: boolean;
  /** Rows written to the file so far (the header excluded). */
  rowsWritten = 0;
  /** Rows handed to the sink and not yet written. */
  get pending(): number {
    return this.lines.length;
  }

  /**
   * @param keepUpTo when resuming: keep the rows of iterations ≤ keepUpTo already in the file and
   *   drop anything after them (written after the last checkpoint); undefined starts a new file.
   */
  constructor(
    file: string,
    private readonly meta: Record<string, string | number>,
    keepUpTo?: number,
  ) {
    if (keepUpTo !== undefined && existsSync(file)) {
      const { bytes, rows } = prefixUpTo(readFileSync(file, 'utf8'), keepUpTo);
      this.fd = openSync(file, 'r+');
      ftruncateSync(this.fd, bytes);
      this.rowsWritten = rows;
      this.wroteHeader = true;
      this.position = bytes;
    } else {
      this.fd = openSync(file, 'w');
      this.wroteHeader = false;
    }
  }

  header(names: readonly string[]): void {
    if (this.wroteHeader) return;
    const head = Object.entries(this.meta).map(([k, v]) => `# ${k} = ${v}`);
    head.push(['iteration', ...names].map(csvField).join(','));
    this.write(head.join('\n') + '\n');
    this.wroteHeader = true;
  }

  row(iteration: number, row: Float64Array): void {
    let line = String(iteration);
    for (let j = 0; j < row.length; j++) line += ',' + csvNumber(row[j]);
    this.lines.push(line);
  }

  /** Append the buffered rows to the file. */
  flush(): void {
    if (this.lines.length === 0) return;
    this.write(this.lines.join('\n') + '\n');
    this.rowsWritten += this.lines.length;
    this.lines = [];
  }

  end(): void {
    this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private write(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) {
      const n = writeSync(this.fd, buf, off, buf.length - off, this.position);
      off += n;
      this.position += n;
    }
  }
}

/** The byte length and row count of a draws file's text up to the row of iteration `upTo`. */
function prefixUpTo(text: string, upTo: number): { bytes: number; rows: number } {
  let pos = 0;
  let rows = 0;
  let seenHeader = false;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    const line = text.slice(pos, nl);
    if (line.startsWith('#')) {
      pos = nl + 1;
      continue;
    }
    if (!seenHeader) {
      seenHeader = true;
      pos = nl + 1;
      continue;
    }
    const it = Number(line.slice(0, line.indexOf(',')));
    if (!(it <= upTo)) break;
    rows++;
    pos = nl + 1;
  }
  return { bytes: Buffer.byteLength(text.slice(0, pos), 'utf8'), rows };
}
