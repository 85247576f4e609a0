/**
 * Issue 12 E: genotype alleles are matched, not assumed. matchAlleles on every kind of pair, and
 * `predict` end to end: a .bed that counts the other allele (as PLINK 1.9 picks A1 per file) or
 * gives the other strand predicts exactly what the fitted orientation predicts; other alleles, or a
 * strand-ambiguous marker in swapped order, are errors naming the markers; markers.csv records the
 * counted allele.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchAlleles } from '../../src/model/alleles.js';
import { chainRng } from '../../src/rng/rng.js';
import type { MarkerInfo } from '../../src/types.js';
import { runCase } from '../helpers/adversarial.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { simulateMarkers } from '../helpers/markers.js';
import { type BedMarker, writeBed } from '../helpers/plink.js';

const mk = (a1?: string, a2?: string, id = 'rs1'): MarkerInfo => ({ id, chr: '1', pos: '1', ...(a1 ? { a1, a2 } : {}) });

describe('matchAlleles', () => {
  const one = (f: MarkerInfo, g: MarkerInfo) => matchAlleles([f], [g], 'new.bim');
  it('same order: used as is; swapped: flipped; the other strand: either', () => {
    expect(one(mk('A', 'G'), mk('A', 'G')).flip[0]).toBe(0);
    expect(one(mk('A', 'G'), mk('G', 'A')).flip[0]).toBe(1);
    const strand = one(mk('A', 'G'), mk('T', 'C'));
    expect([strand.flip[0], strand.report.otherStrand]).toEqual([0, 1]);
    const both = one(mk('A', 'G'), mk('C', 'T'));
    expect([both.flip[0], both.report.otherStrand, both.report.flipped]).toEqual([1, 1, 1]);
    expect(one(mk('a', 'g'), mk('G', 'A')).flip[0]).toBe(1);
  });

  it("PLINK's '0' allele matches either allele", () => {
    expect(one(mk('0', 'G'), mk('A', 'G')).flip[0]).toBe(0);
    expect(one(mk('A', 'G'), mk('G', '0')).flip[0]).toBe(1);
  });

  it('strand-ambiguous markers: same order is fine, swapped order is an error', () => {
    expect(one(mk('A', 'T'), mk('A', 'T')).flip[0]).toBe(0);
    expect(one(mk('C', 'G'), mk('C', 'G')).flip[0]).toBe(0);
    expect(() => one(mk('A', 'T'), mk('T', 'A'))).toThrowError(/new\.bim: 1 strand-ambiguous marker\(s\) .*rs1 \(fitted A\/T, new T\/A\).*--a1-allele/);
    expect(() => one(mk('G', 'C'), mk('C', 'G'))).toThrowError(/strand-ambiguous/);
  });

  it('other alleles are an error naming every marker (up to five)', () => {
    const fitted = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => mk('A', 'G', id));
    const given = fitted.map((m) => ({ ...m, a1: 'A', a2: 'C' }));
    expect(() => matchAlleles(fitted, given, 'new.bim')).toThrowError(
      /new\.bim: 6 marker\(s\) have alleles other than those the model was fitted on: a \(fitted A\/G, new A\/C\), b .*, e \(fitted A\/G, new A\/C\), …/,
    );
  });

  it('a side without alleles is matched by id and counted as unchecked', () => {
    const r = matchAlleles([mk('A', 'G'), mk()], [mk(), mk('A', 'G')], 'new.csv');
    expect(Array.from(r.flip)).toEqual([0, 0]);
    expect(r.report).toEqual({ checked: 0, unchecked: 2, flipped: 0, otherStrand: 0, flippedMarkers: [] });
  });
});

const PAIRS: [string, string][] = [
  ['A', 'G'],
  ['C', 'T'],
  ['A', 'C'],
  ['G', 'T'],
];
const COMPLEMENT: Record<string, string> = { A: 'T', T: 'A', C: 'G', G: 'C' };
/** Marker 4 is strand-ambiguous (A/T); the others cycle through PAIRS. */
const P = 24;
const MARKERS: BedMarker[] = Array.from({ length: P }, (_, j) => {
  const [a1, a2] = j === 4 ? ['A', 'T'] : PAIRS[j % 4];
  return { id: `m${j}`, a1, a2 };
});

describe('predict matches alleles by id and allele', () => {
  let dir = '';
  let newCodes: number[][] = [];
  const newIds = Array.from({ length: 25 }, (_, i) => `new${i}`);
  /** Write a new .bed: `edit` may swap a marker's alleles (then its codes are flipped) or rename them. */
  const newBed = (name: string, edit: (m: BedMarker, j: number) => { m: BedMarker; flip: boolean }): string => {
    const edited = MARKERS.map(edit);
    const codes = newCodes.map((row) => row.map((c, j) => (edited[j].flip && c >= 0 ? 2 - c : c)));
    return writeBed(
      join(dir, name),
      newIds,
      edited.map((e) => e.m),
      codes,
    );
  };
  const predictWith = async (bed: string): Promise<{ code: number; out: string; stderr: string }> => {
    const out = join(dir, `${bed.replace(/.*\//, '')}.pred.csv`);
    const r = await runCli(['predict', join(dir, 'run'), '--geno', bed, '--out', out]);
    return { code: r.code, out: r.code === 0 ? readFileSync(out, 'utf8') : '', stderr: r.stderr };
  };

  beforeAll(async () => {
    dir = tempDir();
    const sim = simulateMarkers(dir, 150, P, 6, 0.6, 31);
    writeBed(
      join(dir, 'train'),
      sim.rows.map((r) => String(r.id)),
      MARKERS,
      sim.codes,
    );
    writeFileSync(join(dir, 'pheno.csv'), `id,y\n${sim.rows.map((r) => `${r.id},${r.y}`).join('\n')}\n`);
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({
        data: 'pheno.csv',
        id: 'id',
        formula: 'y ~ 1',
        markers: { file: 'train.bed', prior: 'BRR', saveEffects: 1 },
        mcmc: { chains: 1, iterations: 300, burnin: 100, seed: 2 },
      }),
    );
    const fit = await runCli(['fit', join(dir, 'c.json'), '--out', join(dir, 'run'), '--quiet', '--workers', '0']);
    expect(fit.code, fit.stderr).toBe(0);
    const rng = chainRng(5, 0);
    newCodes = newIds.map(() => MARKERS.map(() => (rng.uniform() < 0.05 ? -1 : Math.floor(rng.uniform() * 3))));
  });

  it('markers.csv records the counted and the other allele of every marker', () => {
    const lines = readFileSync(join(dir, 'run', 'markers.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('id,chr,pos,counted,other,mean,sd,pip');
    for (const line of lines.slice(1)) {
      const [id, , , counted, other] = line.split(',');
      const m = MARKERS.find((x) => x.id === id)!;
      expect([counted, other]).toEqual([m.a1, m.a2]);
    }
  });

  it('a .bed counting the other allele for half the markers predicts exactly what the fitted orientation predicts, and says so', async () => {
    const same = await predictWith(newBed('same', (m) => ({ m, flip: false })));
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toBe('');
    const swapped = await predictWith(newBed('swapped', (m, j) => (j % 2 === 1 ? { m: { ...m, a1: m.a2, a2: m.a1 }, flip: true } : { m, flip: false })));
    expect(swapped.code, swapped.stderr).toBe(0);
    expect(swapped.out).toBe(same.out);
    expect(swapped.stderr).toMatch(/note: markers: 12 marker\(s\) count the other allele .* flipped \(m1, m3, m5/);
    // the check matters: without the flip, the GEBVs differ
    const unflipped = newBed('unflipped', (m, j) => ({ m, flip: j % 2 === 1 }));
    expect((await predictWith(unflipped)).out).not.toBe(same.out);
  });

  it('the other strand (complementary alleles), in either order, predicts the same', async () => {
    const same = await predictWith(newBed('same2', (m) => ({ m, flip: false })));
    const strand = await predictWith(
      newBed('strand', (m, j) => {
        if (j === 4) return { m, flip: false };
        const c = { ...m, a1: COMPLEMENT[m.a1], a2: COMPLEMENT[m.a2] };
        return j % 3 === 0 ? { m: { ...c, a1: c.a2, a2: c.a1 }, flip: true } : { m: c, flip: false };
      }),
    );
    expect(strand.code, strand.stderr).toBe(0);
    expect(strand.out).toBe(same.out);
    expect(strand.stderr).toMatch(/23 marker\(s\) are given on the other strand/);
  });

  it('a CSV matrix of the same codes predicts the same, matched by id only (noted)', async () => {
    const same = await predictWith(newBed('same3', (m) => ({ m, flip: false })));
    const csv = join(dir, 'new.csv');
    writeFileSync(
      csv,
      `id,${MARKERS.map((m) => m.id).join(',')}\n${newIds.map((id, i) => `${id},${newCodes[i].map((c) => (c < 0 ? 'NA' : c)).join(',')}`).join('\n')}\n`,
    );
    const r = await predictWith(csv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toBe(same.out);
    expect(r.stderr).toMatch(/24 marker\(s\) matched by id only/);
  });

  it('other alleles: exit 2, the markers named, no predictions written', async () => {
    const bed = newBed('other', (m, j) => ({ m: j === 1 || j === 7 ? { ...m, a2: 'A' } : m, flip: false }));
    await runCase({
      name: 'other alleles',
      args: () => ['predict', join(dir, 'run'), '--geno', bed, '--out', join(dir, 'other.pred.csv')],
      words: ['other.bed', '2 marker(s) have alleles other than', 'm1 (fitted C/T, new C/A)', 'm7 (fitted G/T, new G/A)'],
    });
    expect(existsSync(join(dir, 'other.pred.csv'))).toBe(false);
  });

  it('a strand-ambiguous marker counting the other allele: exit 2, named', async () => {
    const bed = newBed('ambiguous', (m, j) => (j === 4 ? { m: { ...m, a1: 'T', a2: 'A' }, flip: true } : { m, flip: false }));
    await runCase({
      name: 'ambiguous swap',
      args: () => ['predict', join(dir, 'run'), '--geno', bed, '--out', join(dir, 'amb.pred.csv')],
      words: ['ambiguous.bed', 'strand-ambiguous', 'm4 (fitted A/T, new T/A)'],
    });
    expect(existsSync(join(dir, 'amb.pred.csv'))).toBe(false);
  });
});
