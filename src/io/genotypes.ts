/**
 * Genotype input: PLINK 1 binary (.bed/.bim/.fam) and CSV matrices (an id column, one column per
 * marker, coded 0/1/2 or 0/1; empty or NA is missing). Both give a {@link GenotypeTable} that
 * decodes one marker at a time (codes 0/1/2, −1 for missing) from 2 bits per genotype: a .bed as it
 * is, a CSV packed on load.
 */
import { readFileSync } from 'node:fs';
import { MixmcError } from '../errors.js';
import type { MarkerInfo } from '../types.js';
import { isMissing, parseTable } from './csv.js';

export interface GenotypeTable {
  file: string;
  /** Individual ids, in file order. */
  ids: string[];
  markers: MarkerInfo[];
  /** Write marker j's codes (count of the counted allele; −1 = missing) of every individual into out. */
  column(j: number, out: Int8Array): void;
}

/** Read genotypes by file extension: .bed (with .bim/.fam beside it) or a delimited text matrix. */
export function readGenotypes(file: string): GenotypeTable {
  return /\.bed$/i.test(file) ? readPlinkBed(file) : readGenotypeCsv(file);
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new MixmcError(`cannot read the ${what}: ${(err as Error).message}`, { file });
  }
}

/** Whitespace-separated lines of a .bim or .fam file, with their line numbers. */
function fields(file: string, text: string, expected: number): { f: string[]; line: number }[] {
  const out: { f: string[]; line: number }[] = [];
  text.split(/\r?\n/).forEach((l, k) => {
    const t = l.trim();
    if (t === '') return;
    const f = t.split(/\s+/);
    if (f.length < expected) throw new MixmcError(`expected ${expected} fields, found ${f.length}`, { file, line: k + 1 });
    out.push({ f, line: k + 1 });
  });
  return out;
}

/**
 * PLINK 1 binary genotypes (SNP-major). The genotype is the count of the .bim A1 allele:
 * 00 → 2 (homozygous A1), 10 → 1, 11 → 0, 01 → missing; four genotypes per byte, lowest bits first.
 * The magic bytes and the file size are checked against the .bim and .fam counts.
 */
export function readPlinkBed(bedFile: string): GenotypeTable {
  const stem = bedFile.replace(/\.bed$/i, '');
  const bimFile = `${stem}.bim`;
  const famFile = `${stem}.fam`;
  const bim = fields(bimFile, readText(bimFile, '.bim file'), 6);
  const fam = fields(famFile, readText(famFile, '.fam file'), 6);
  const markers = bim.map(({ f }) => ({ id: f[1], chr: f[0], pos: f[3], a1: f[4], a2: f[5] }));
  const ids = fam.map(({ f }) => f[1]);
  checkDuplicates(
    famFile,
    ids,
    fam.map((x) => x.line),
    'individual',
  );
  checkDuplicates(
    bimFile,
    markers.map((m) => m.id),
    bim.map((x) => x.line),
    'marker',
  );
  let bytes: Buffer;
  try {
    bytes = readFileSync(bedFile);
  } catch (err) {
    throw new MixmcError(`cannot read the .bed file: ${(err as Error).message}`, { file: bedFile });
  }
  if (bytes.length < 3 || bytes[0] !== 0x6c || bytes[1] !== 0x1b) {
    throw new MixmcError(`not a PLINK 1 .bed file: the first bytes are ${hex(bytes.subarray(0, 3))}, expected 6c 1b 01`, { file: bedFile });
  }
  if (bytes[2] !== 0x01)
    throw new MixmcError(`the .bed file is individual-major (mode byte ${hex(bytes.subarray(2, 3))}); re-save it SNP-major with plink --make-bed`, {
      file: bedFile,
    });
  const nInd = ids.length;
  const nSnp = markers.length;
  const perSnp = Math.ceil(nInd / 4);
  const expected = 3 + nSnp * perSnp;
  if (bytes.length !== expected) {
    throw new MixmcError(
      `the .bed file has ${bytes.length} bytes but ${nSnp} markers (${bimFile}) × ${nInd} individuals (${famFile}) need 3 + ${nSnp}·${perSnp} = ${expected}` +
        (bytes.length < expected ? ' (truncated?)' : ' (do the .bim/.fam belong to this .bed?)'),
      { file: bedFile },
    );
  }
  const decode = Int8Array.of(2, -1, 1, 0);
  const column = (j: number, out: Int8Array): void => {
    const base = 3 + j * perSnp;
    for (let i = 0; i < nInd; i++) out[i] = decode[(bytes[base + (i >> 2)] >> ((i & 3) * 2)) & 3];
  };
  return { file: bedFile, ids, markers, column };
}

/**
 * A CSV genotype matrix: header `id,m1,m2,…`; values 0, 1, 2 (or NA/empty for missing). The codes are
 * packed on load, 2 bits per genotype (0, 1, 2; 3 = missing), marker-major.
 */
export function readGenotypeCsv(file: string): GenotypeTable {
  const t = parseTable(file, readText(file, 'genotype file'));
  if (t.header.length < 2) throw new MixmcError('a genotype CSV needs an id column and at least one marker column', { file, line: 1 });
  const nInd = t.rows.length;
  const markers = t.header.slice(1).map((id) => ({ id, chr: 'NA', pos: 'NA' }));
  const ids = t.rows.map((r) => r[0]);
  checkDuplicates(file, ids, t.lines, 'individual');
  const nSnp = markers.length;
  const perSnp = Math.ceil(nInd / 4);
  const packed = new Uint8Array(nSnp * perSnp);
  for (let i = 0; i < nInd; i++) {
    const row = t.rows[i];
    for (let j = 0; j < nSnp; j++) {
      const v = row[j + 1];
      let code: number;
      if (isMissing(v)) code = 3;
      else if (v === '0' || v === '1' || v === '2') code = v.charCodeAt(0) - 48;
      else if (v === '0.0' || v === '1.0' || v === '2.0') code = v.charCodeAt(0) - 48;
      else
        throw new MixmcError(`genotype '${v}' is not one of 0, 1, 2 or NA (marker ${markers[j].id}, individual ${ids[i]})`, {
          file,
          line: t.lines[i],
          column: j + 2,
        });
      packed[j * perSnp + (i >> 2)] |= code << ((i & 3) * 2);
    }
  }
  const decode = Int8Array.of(0, 1, 2, -1);
  const column = (j: number, out: Int8Array): void => {
    const base = j * perSnp;
    for (let i = 0; i < nInd; i++) out[i] = decode[(packed[base + (i >> 2)] >> ((i & 3) * 2)) & 3];
  };
  return { file, ids, markers, column };
}

function checkDuplicates(file: string, ids: readonly string[], lines: readonly number[], what: string): void {
  const seen = new Map<string, number>();
  ids.forEach((id, k) => {
    const prev = seen.get(id);
    if (prev !== undefined) throw new MixmcError(`duplicate ${what} id '${id}' (also on line ${lines[prev]})`, { file, line: lines[k] });
    seen.set(id, k);
  });
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
