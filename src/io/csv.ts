/**
 * Delimited text tables (phenotypes, pedigrees, genotype and relationship matrices).
 *
 * Parsing itself is csv-parse's (quoted fields, CRLF, BOM); this module adds what mixmc needs on top:
 * separator detection (comma, tab or semicolon, decided from the header line), mixmc's missing-value
 * codes, column typing, and errors that name the file, line and column.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { MixmcError } from '../errors.js';

/** A parsed table: raw (trimmed) strings, with the source line of every row kept for error messages. */
export interface Table {
  readonly file: string;
  readonly header: readonly string[];
  /** rows[r][c] is the raw text of row r, column c. */
  readonly rows: readonly (readonly string[])[];
  /** lines[r] is the 1-based line of row r in the file. */
  readonly lines: readonly number[];
}

/** Values that mean "missing" in every mixmc input: empty, NA, and '.'. */
export function isMissing(value: string): boolean {
  return value === '' || value === 'NA' || value === '.';
}

/** A finite number written in decimal or scientific notation, or NaN. */
export function parseNumber(value: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return NaN;
  return Number(value);
}

const SEPARATORS = [',', '\t', ';'] as const;

/** The separator that occurs most often outside quotes on the first non-empty line. */
export function detectSeparator(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  const line = text.slice(start, end);
  let best: string = ',';
  let bestCount = 0;
  for (const sep of SEPARATORS) {
    let count = 0;
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === sep) count++;
    }
    if (count > bestCount) {
      best = sep;
      bestCount = count;
    }
  }
  return best;
}

interface CsvErrorLike {
  code?: string;
  lines?: number;
  message: string;
  record?: string[];
}

/**
 * Read a delimited file with a header row.
 * @throws MixmcError naming the file and line for ragged rows, bad quoting, an empty file or
 *   duplicate column names.
 */
export function readTable(file: string, opts: ParseOptions = {}): Table {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MixmcError(`cannot read file: ${(err as Error).message}`, { file });
  }
  return parseTable(file, content, opts);
}

export interface ParseOptions {
  /** Skip whole lines starting with '#' (Stan CSV metadata). */
  comments?: boolean;
}

/** {@link readTable} on text already in memory; `file` is used in messages only. */
export function parseTable(file: string, content: string, opts: ParseOptions = {}): Table {
  const delimiter = detectSeparator(opts.comments ? content.replace(/^(#[^\n]*\n)+/, '') : content);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(content, {
      delimiter,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: false,
      ...(opts.comments ? { comment: '#', comment_no_infix: true } : {}),
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const e = err as CsvErrorLike;
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || e.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH') {
      const got = e.record ? e.record.length : undefined;
      const expected = firstLineFieldCount(content, delimiter);
      throw new MixmcError(
        `row has ${got ?? 'a different number of'} fields but the header has ${expected}` + ` (separator '${delimiter === '\t' ? '\\t' : delimiter}')`,
        { file, line: e.lines },
      );
    }
    throw new MixmcError(`cannot parse: ${e.message.replace(/^Invalid Record Length: /, '')}`, { file, line: e.lines });
  }
  if (records.length === 0) throw new MixmcError('the file is empty; expected a header row', { file, line: 1 });
  const header = records[0].record;
  const seen = new Map<string, number>();
  header.forEach((name, c) => {
    if (name === '') {
      // R's write.csv puts row names in a first column with an empty name
      const hint = c === 0 ? ': it looks like row names written by R; write the file with write.csv(..., row.names = FALSE)' : '';
      throw new MixmcError(`empty column name in the header${hint}`, { file, line: records[0].info.lines, column: c + 1 });
    }
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new MixmcError(`duplicate column name '${name}' (also column ${prev + 1})`, { file, line: records[0].info.lines, column: c + 1 });
    }
    seen.set(name, c);
  });
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let r = 1; r < records.length; r++) {
    rows.push(records[r].record);
    // info.lines is the line on which the record ends; rows rarely span lines, and then the end is
    // still a line the user can find.
    lines.push(records[r].info.lines);
  }
  return { file, header, rows, lines };
}

function firstLineFieldCount(content: string, delimiter: string): number {
  const rec = parse(content, { delimiter, bom: true, to_line: 1 }) as string[][];
  return rec.length > 0 ? rec[0].length : 0;
}

/** Index of column `name`, or a MixmcError that lists the columns there are. */
export function columnIndex(table: Table, name: string, term?: string): number {
  const c = table.header.indexOf(name);
  if (c < 0) {
    const shown = table.header.slice(0, 20).join(', ') + (table.header.length > 20 ? ', …' : '');
    throw new MixmcError(`no column '${name}' in the file; its columns are: ${shown}`, { file: table.file, term: term ?? name });
  }
  return c;
}

/** True when every non-missing value of column c is a number. */
export function isNumericColumn(table: Table, c: number): boolean {
  for (const row of table.rows) {
    const v = row[c];
    if (!isMissing(v) && Number.isNaN(parseNumber(v))) return false;
  }
  return true;
}

/**
 * Column c as numbers (NaN for missing).
 * @throws MixmcError at the first value that is not a number.
 */
export function numericColumn(table: Table, c: number, what: string): Float64Array {
  const out = new Float64Array(table.rows.length);
  for (let r = 0; r < table.rows.length; r++) {
    const v = table.rows[r][c];
    if (isMissing(v)) {
      out[r] = NaN;
      continue;
    }
    const x = parseNumber(v);
    if (Number.isNaN(x)) {
      throw new MixmcError(`${what} must be numeric, found '${v}'`, { file: table.file, line: table.lines[r], column: c + 1, term: table.header[c] });
    }
    out[r] = x;
  }
  return out;
}

/**
 * Order factor levels as R's factor() does by default (DESIGN.md): numerically when every label is a
 * number, otherwise by code point.
 */
export function sortLevels(labels: Iterable<string>): string[] {
  const unique = [...new Set(labels)];
  if (unique.every((l) => !Number.isNaN(parseNumber(l)))) {
    return unique.sort((a, b) => parseNumber(a) - parseNumber(b) || (a < b ? -1 : a > b ? 1 : 0));
  }
  return unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
