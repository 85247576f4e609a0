/**
 * Genotype input: PLINK .bed decoding against the same genotypes in .ped form, and bad input.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGenotypeCsv, readPlinkBed } from '../../src/io/genotypes.js';
import { fixturePath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/cli.js';

function copySample(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const ext of ['bed', 'bim', 'fam']) copyFileSync(fixturePath('plink-sample', `sample.${ext}`), join(dir, `sample.${ext}`));
  return join(dir, 'sample.bed');
}

describe('PLINK .bed', () => {
  it('decodes sample.bed to the A1 counts of sample.ped, element by element', () => {
    const g = readPlinkBed(fixturePath('plink-sample', 'sample.bed'));
    const bim = readFileSync(fixturePath('plink-sample', 'sample.bim'), 'utf8')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.trim().split(/\s+/));
    const ped = readFileSync(fixturePath('plink-sample', 'sample.ped'), 'utf8')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.trim().split(/\s+/));
    expect(g.markers.length).toBe(bim.length);
    expect(g.ids.length).toBe(ped.length);
    let checked = 0;
    let missing = 0;
    const cols = bim.map((_, j) => {
      const out = new Int8Array(g.ids.length);
      g.column(j, out);
      return out;
    });
    ped.forEach((row, i) => {
      expect(g.ids[i]).toBe(row[1]);
      bim.forEach((b, j) => {
        const a1 = b[4];
        const x = row[6 + 2 * j];
        const y = row[7 + 2 * j];
        const want = x === '0' || y === '0' ? -1 : (x === a1 ? 1 : 0) + (y === a1 ? 1 : 0);
        if (want < 0) missing++;
        expect(cols[j][i], `individual ${row[1]}, marker ${b[1]}`).toBe(want);
        checked++;
      });
    });
    expect(checked).toBe(120 * 20);
    expect(missing).toBeGreaterThan(0);
  });

  it('a truncated .bed names the sizes', () => {
    const bed = copySample(tempDir());
    const bytes = readFileSync(bed);
    writeFileSync(bed, bytes.subarray(0, bytes.length - 7));
    expect(() => readPlinkBed(bed)).toThrowError(
      /sample\.bed: the \.bed file has 596 bytes but 20 markers .* × 120 individuals .* need 3 \+ 20·30 = 603 \(truncated\?\)/,
    );
  });

  it('wrong magic bytes', () => {
    const bed = copySample(tempDir());
    const bytes = Buffer.from(readFileSync(bed));
    bytes[0] = 0x00;
    writeFileSync(bed, bytes);
    expect(() => readPlinkBed(bed)).toThrowError(/not a PLINK 1 \.bed file: the first bytes are 00 1b 01, expected 6c 1b 01/);
  });

  it('a .bim/.fam count mismatch', () => {
    const dir = tempDir();
    const bed = copySample(dir);
    const fam = readFileSync(join(dir, 'sample.fam'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'sample.fam'), `${fam.slice(0, 100).join('\n')}\n`);
    expect(() => readPlinkBed(bed)).toThrowError(
      /603 bytes but 20 markers .* × 100 individuals .* need 3 \+ 20·25 = 503 \(do the \.bim\/\.fam belong to this \.bed\?\)/,
    );
  });

  it('duplicate individual ids in the .fam', () => {
    const dir = tempDir();
    const bed = copySample(dir);
    const fam = readFileSync(join(dir, 'sample.fam'), 'utf8').trim().split('\n');
    fam[5] = fam[5].replace(/^(\S+)\s+(\S+)/, `$1 ${fam[2].split(/\s+/)[1]}`);
    writeFileSync(join(dir, 'sample.fam'), `${fam.join('\n')}\n`);
    expect(() => readPlinkBed(bed)).toThrowError(/sample\.fam, line 6: duplicate individual id '431' \(also on line 3\)/);
  });
});

describe('genotype CSV', () => {
  it('reads 0/1/2 and NA, marker-major', () => {
    const dir = tempDir();
    const f = join(dir, 'g.csv');
    writeFileSync(f, 'id,m1,m2\na,0,2\nb,NA,1\nc,2,\n');
    const g = readGenotypeCsv(f);
    expect(g.ids).toEqual(['a', 'b', 'c']);
    const out = new Int8Array(3);
    g.column(0, out);
    expect(Array.from(out)).toEqual([0, -1, 2]);
    g.column(1, out);
    expect(Array.from(out)).toEqual([2, 1, -1]);
  });

  it('codes outside {0, 1, 2, NA} name the line, column and marker', () => {
    const dir = tempDir();
    const f = join(dir, 'g.csv');
    writeFileSync(f, 'id,m1,m2\na,0,2\nb,3,1\n');
    expect(() => readGenotypeCsv(f)).toThrowError(/g\.csv, line 3, column 2: genotype '3' is not one of 0, 1, 2 or NA \(marker m1, individual b\)/);
  });

  it('duplicate ids', () => {
    const dir = tempDir();
    const f = join(dir, 'g.csv');
    writeFileSync(f, 'id,m1\na,0\nb,1\na,2\n');
    expect(() => readGenotypeCsv(f)).toThrowError(/g\.csv, line 4: duplicate individual id 'a' \(also on line 2\)/);
  });
});
