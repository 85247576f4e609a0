/**
 * A draws file written as the chain runs (Stan-CSV form: '#' metadata, a header, one row per kept
 * draw). Rows are buffered and appended by `flush`; the chain task flushes at least every 1,000
 * kept draws or 10 s, so a killed run loses at most that much.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { MixmcError } from '../errors.js';
import { csvField, csvNumber } from './files.js';
import { onPath } from './environment.js';
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
   * @param resume when resuming: the file must hold the rows the checkpoint counted (up to its
   *   iteration) under the header `names`; anything after them (written after the checkpoint) is
   *   dropped. Undefined starts a new file.
   */
  constructor(
    private readonly file: string,
    private readonly meta: Record<string, string | number>,
    resume?: DrawsCheck,
  ) {
    if (resume) {
      const { bytes, rows, text } = reconcileDraws(file, resume);
      this.earlier = parseRows(text.slice(0, bytes), rows);
      this.fd = onPath(file, 'open the draws file', () => openSync(file, 'r+'));
      onPath(file, 'cut the draws file back to its checkpoint', () => ftruncateSync(this.fd, bytes));
      this.rowsWritten = rows;
      this.wroteHeader = true;
      this.position = bytes;
    } else {
      this.fd = onPath(file, 'create the draws file', () => openSync(file, 'w'));
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
    onPath(this.file, 'write the draws', () => {
      while (off < buf.length) {
        const n = writeSync(this.fd, buf, off, buf.length - off, this.position);
        off += n;
        this.position += n;
      }
    });
  }
}

/** What a resumed chain's draws file must hold. */
export interface DrawsCheck {
  /** The checkpoint's iteration: rows after it are dropped. */
  upTo: number;
  /** Rows the checkpoint counted. */
  rows: number;
  /** The parameters of the model (the header after 'iteration'). */
  names: readonly string[];
}

/**
 * Check a draws file against a checkpoint: its header is the model's, and it holds at least the rows
 * the checkpoint counted up to its iteration (never a gap).
 * @throws MixmcError naming the file when it is missing, of another model, or cut short.
 */
export function reconcileDraws(file: string, check: DrawsCheck): { bytes: number; rows: number; text: string } {
  const fail = (why: string): MixmcError => new MixmcError(`the draws cannot be resumed: ${why}; start the run again with --force`, { file });
  if (!existsSync(file)) {
    if (check.rows === 0) return { bytes: 0, rows: 0, text: '' };
    throw fail(`the file is missing, but the checkpoint counts ${check.rows} rows`);
  }
  const text = onPath(file, 'read the draws file', () => readFileSync(file, 'utf8'));
  const header = text.split('\n').find((l) => l !== '' && !l.startsWith('#'));
  const want = ['iteration', ...check.names].map(csvField).join(',');
  if (header !== undefined && header !== want) throw fail("its header is not this model's parameters");
  const { bytes, rows } = prefixUpTo(text, check.upTo);
  if (rows < check.rows) throw fail(`it holds ${rows} rows up to iteration ${check.upTo} but the checkpoint counts ${check.rows} (the file was cut)`);
  return { bytes, rows, text };
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
