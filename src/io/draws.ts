/**
 * Reading draws back: mixmc run directories (draws/chain-K.csv, possibly still being written), long
 * CSVs with a chain column (mixmc's `chain`, or posterior::as_draws_df's `.chain` beside `.iteration`
 * and `.draw`), and one Stan/CmdStan CSV per chain.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MixmcError } from '../errors.js';
import type { DrawSet } from '../types.js';
import { parseNumber, parseTable, type Table } from './csv.js';

/** Text of a file that may still be growing: anything after the last newline is an unfinished row. */
function readComplete(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MixmcError(`cannot read the draws: ${(err as Error).message}`, { file });
  }
  const end = text.lastIndexOf('\n');
  return end < 0 ? text : text.slice(0, end + 1);
}

function numericColumns(t: Table, skip: (name: string) => boolean): { names: string[]; columns: Float64Array[] } {
  const names: string[] = [];
  const columns: Float64Array[] = [];
  t.header.forEach((name, c) => {
    if (skip(name)) return;
    const col = new Float64Array(t.rows.length);
    for (let r = 0; r < t.rows.length; r++) {
      const v = t.rows[r][c];
      const x =
        v === 'NA' || v === 'NaN' || v === 'nan' ? NaN : v === 'Inf' || v === 'inf' ? Infinity : v === '-Inf' || v === '-inf' ? -Infinity : parseNumber(v);
      if (Number.isNaN(x) && !/^(NA|NaN|nan)$/.test(v))
        throw new MixmcError(`'${v}' is not a number`, { file: t.file, line: t.lines[r], column: c + 1, term: name });
      col[r] = x;
    }
    names.push(name);
    columns.push(col);
  });
  return { names, columns };
}

/** The chain column of a long CSV: mixmc's, or posterior::as_draws_df's. */
const CHAIN_COLUMNS = ['chain', '.chain'];

/** Columns that index draws rather than hold a parameter: iteration numbers, as_draws_df's .iteration and .draw. */
const INDEX_COLUMNS = ['iteration', '.iteration', '.draw'];

/** Stan's sampler columns (accept_stat__, stepsize__, …) are not parameters; lp__ is kept. */
function isSamplerColumn(name: string): boolean {
  return name.endsWith('__') && name !== 'lp__';
}

/** One chain per file: mixmc draws files and Stan/CmdStan CSVs ('#' metadata lines). */
export function readChainFiles(files: readonly string[]): DrawSet {
  let names: string[] | undefined;
  const chains: Float64Array[][] = [];
  for (const file of files) {
    const t = parseTable(file, readComplete(file), { comments: true });
    const cols = numericColumns(t, (n) => INDEX_COLUMNS.includes(n) || isSamplerColumn(n));
    if (names && cols.names.join('\u0000') !== names.join('\u0000')) {
      throw new MixmcError(`its columns differ from those of ${files[0]}`, { file });
    }
    names = cols.names;
    chains.push(cols.columns);
  }
  return { names: names ?? [], chains };
}

/** A long CSV: a chain column (`chain` or `.chain`), optional index columns, then one column per variable. */
export function readLongCsv(file: string): DrawSet {
  const t = parseTable(file, readComplete(file), { comments: true });
  const c = t.header.findIndex((n) => CHAIN_COLUMNS.includes(n));
  if (c < 0) throw new MixmcError("a long draws CSV needs a 'chain' or '.chain' column (or give one file per chain)", { file, line: 1 });
  const labels = t.rows.map((r) => r[c]);
  const order = [...new Set(labels)];
  const cols = numericColumns(t, (n) => CHAIN_COLUMNS.includes(n) || INDEX_COLUMNS.includes(n) || isSamplerColumn(n));
  const chains = order.map((label) => {
    const idx: number[] = [];
    labels.forEach((l, r) => {
      if (l === label) idx.push(r);
    });
    return cols.columns.map((col) => Float64Array.from(idx, (r) => col[r]));
  });
  return { names: cols.names, chains };
}

/** Whether a CSV file has a `chain` column in its header. */
function hasChainColumn(file: string): boolean {
  const text = readComplete(file).replace(/^(#[^\n]*\n)+/, '');
  const header = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length);
  return /(^|[,;\t])"?\.?chain"?([,;\t]|\r?$)/.test(header);
}

/** The draws files of a run directory, in chain order. */
export function runDrawFiles(dir: string): string[] {
  const d = join(dir, 'draws');
  if (!existsSync(d)) throw new MixmcError('not a mixmc run directory (no draws/ folder)', { file: dir });
  const files = readdirSync(d)
    .map((f) => /^chain-(\d+)\.csv$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => join(d, m[0]));
  if (files.length === 0) throw new MixmcError('the run has no draws/chain-K.csv files yet', { file: d });
  return files;
}

/**
 * Draws from what the user points at: a run directory, one long CSV, or one CSV per chain.
 */
export function readDraws(paths: readonly string[]): DrawSet {
  if (paths.length === 1 && existsSync(paths[0]) && statSync(paths[0]).isDirectory()) return readChainFiles(runDrawFiles(paths[0]));
  if (paths.length === 1 && hasChainColumn(paths[0])) return readLongCsv(paths[0]);
  return readChainFiles(paths);
}
