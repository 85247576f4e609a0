/**
 * A draws file written as the chain runs (Stan-CSV form: '#' metadata, a header, one row per kept
 * draw). Rows are buffered and appended by `flush`; the chain task flushes at least every 1,000
 * kept draws or 10 s, so a killed run loses at most that much.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { csvField, csvNumber } from './files.js';
import type { DrawSink } from '../mcmc/sink.js';

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
  /** When resuming: the rows kept from the file, by iteration and column. */
  readonly earlier: { iterations: number[]; columns: Float64Array[] } | undefined;

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
      const text = readFileSync(file, 'utf8');
      const { bytes, rows } = prefixUpTo(text, keepUpTo);
      this.earlier = parseRows(text.slice(0, bytes), rows);
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
    this.write(`${head.join('\n')}\n`);
    this.wroteHeader = true;
  }

  row(iteration: number, row: Float64Array): void {
    let line = String(iteration);
    for (let j = 0; j < row.length; j++) line += `,${csvNumber(row[j])}`;
    this.lines.push(line);
  }

  /** Append the buffered rows to the file. */
  flush(): void {
    if (this.lines.length === 0) return;
    this.write(`${this.lines.join('\n')}\n`);
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

/** The iterations and values of the first `rows` rows of a draws file's text (its shortest-decimal numbers read back exactly). */
function parseRows(text: string, rows: number): { iterations: number[]; columns: Float64Array[] } {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  // lines[0] is the header; data rows hold numbers only, so a comma always separates fields there
  const width = rows > 0 ? lines[1].split(',').length - 1 : 0;
  const iterations: number[] = [];
  const columns = Array.from({ length: width }, () => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const f = lines[r + 1].split(',');
    iterations.push(Number(f[0]));
    for (let j = 0; j < width; j++) columns[j][r] = f[j + 1] === 'NA' ? NaN : Number(f[j + 1]);
  }
  return { iterations, columns };
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
