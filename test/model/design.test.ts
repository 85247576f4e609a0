/**
 * Design matrices against what R's model.matrix gives for the same formula (the expected column
 * names and values below follow R's rules: treatment contrasts, first level as reference,
 * interactions coded by contrasts when their margins are in the model).
 */
import { describe, expect, it } from 'vitest';
import { buildDesign } from '../../src/model/design.js';
import { parseFormula } from '../../src/model/formula.js';
import { rowsToTable } from '../../src/model/spec.js';
import { parseTable } from '../../src/io/csv.js';

function denseX(d: ReturnType<typeof buildDesign>): number[][] {
  const X = Array.from({ length: d.n }, () => new Array(d.fixed.p).fill(0));
  for (let j = 0; j < d.fixed.p; j++) for (let k = d.fixed.colPtr[j]; k < d.fixed.colPtr[j + 1]; k++) X[d.fixed.rowIdx[k]][j] = d.fixed.vals[k];
  return X;
}

const rows = [
  { y: 1, a: 'p', b: 'u', x: 0.5 },
  { y: 2, a: 'q', b: 'u', x: 1.5 },
  { y: 3, a: 'r', b: 'v', x: 2.5 },
  { y: 4, a: 'p', b: 'v', x: 3.5 },
  { y: 5, a: 'q', b: 'v', x: 4.5 },
  { y: 6, a: 'r', b: 'u', x: 5.5 },
  { y: 7, a: 'p', b: 'u', x: 6 },
];

describe('design', () => {
  it('treatment coding with the first level as reference', () => {
    const d = buildDesign(rowsToTable(rows), parseFormula('y ~ 1 + a + x'));
    expect(d.fixed.names).toEqual(['b[(Intercept)]', 'b[a:q]', 'b[a:r]', 'b[x]']);
    expect(denseX(d)[1]).toEqual([1, 1, 0, 1.5]);
  });

  it('a factor without an intercept gets all its levels', () => {
    const d = buildDesign(rowsToTable(rows), parseFormula('y ~ 0 + a'));
    expect(d.fixed.names).toEqual(['b[a:p]', 'b[a:q]', 'b[a:r]']);
  });

  it('a:b with both main effects: products of the contrasts (R: aq:bv, ar:bv)', () => {
    const d = buildDesign(rowsToTable(rows), parseFormula('y ~ a + b + a:b'));
    expect(d.fixed.names).toEqual(['b[(Intercept)]', 'b[a:q]', 'b[a:r]', 'b[b:v]', 'b[a:q:b:v]', 'b[a:r:b:v]']);
    expect(denseX(d)[4]).toEqual([1, 1, 0, 1, 1, 0]);
  });

  it('x:a without the main effect of a: a coded by all levels (R: x:ap, x:aq, x:ar)', () => {
    const d = buildDesign(rowsToTable(rows), parseFormula('y ~ x + x:a'));
    expect(d.fixed.names).toEqual(['b[(Intercept)]', 'b[x]', 'b[x:a:q]', 'b[x:a:r]']);
    const d2 = buildDesign(rowsToTable(rows), parseFormula('y ~ 1 + x:a'));
    expect(d2.fixed.names).toEqual(['b[(Intercept)]', 'b[x:a:p]', 'b[x:a:q]', 'b[x:a:r]']);
  });

  it('random terms map records to levels; var(y) and MSx are computed', () => {
    const d = buildDesign(rowsToTable(rows), parseFormula('y ~ 1 + (1|a)'));
    expect(d.random[0].levels).toEqual(['p', 'q', 'r']);
    expect(Array.from(d.random[0].level)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(Array.from(d.random[0].count)).toEqual([3, 2, 2]);
    expect(d.varY).toBeCloseTo(28 / 6, 12);
  });

  it('missing covariates drop rows with a warning; a missing response is predicted', () => {
    // four complete records, so that the three fixed effects leave a residual degree of freedom
    const t = parseTable('p.csv', 'y,a,x\n1,p,1\nNA,q,2\n3,,3\n4,q,NA\n5,p,5\n6,q,6\n8,p,7\n');
    const d = buildDesign(t, parseFormula('y ~ a + x'));
    expect(d.n).toBe(4);
    expect(d.predict.m).toBe(1);
    expect(d.warnings[0].message).toMatch(/2 row\(s\) of p\.csv dropped/);
  });
});

describe('bad input gives a clear error', () => {
  it('an unknown column in the formula', () => {
    expect(() => buildDesign(rowsToTable(rows), parseFormula('y ~ 1 + nosuch'))).toThrowError(/no column 'nosuch' in the file; its columns are: y, a, b, x/);
  });

  it('a non-numeric response', () => {
    const t = parseTable('pheno.csv', 'y,a\n1,p\nhigh,q\n3,p\n');
    expect(() => buildDesign(t, parseFormula('y ~ a'))).toThrowError(/pheno\.csv, line 3, column 1, term 'y': the response 'y' must be numeric, found 'high'/);
  });

  it('a factor with one level', () => {
    const t = parseTable('pheno.csv', 'y,a\n1,p\n2,p\n3,p\n');
    expect(() => buildDesign(t, parseFormula('y ~ a'))).toThrowError(/pheno\.csv, column 'a', term 'a': factor 'a' has only one level \('p'\)/);
  });

  it('aliased fixed effects name the columns and the combination', () => {
    // c is a copy of a with other labels: every level of c is a combination of a's columns
    const r = rows.map((row) => ({ ...row, c: { p: 'P', q: 'Q', r: 'R' }[row.a] }));
    expect(() => buildDesign(rowsToTable(r), parseFormula('y ~ a + c'))).toThrowError(/aliased .*b\[c:Q\] = 1·b\[a:q\]; b\[c:R\] = 1·b\[a:r\]/);
    const r2 = rows.map((row) => ({ ...row, x2: 2 * row.x + 1 }));
    expect(() => buildDesign(rowsToTable(r2), parseFormula('y ~ x + x2'))).toThrowError(/b\[x2\] = 1·b\[\(Intercept\)\] \+ 2·b\[x\]/);
  });

  it('a ragged row names the file and line', () => {
    expect(() => parseTable('pheno.csv', 'y,a\n1,p\n2\n')).toThrowError(/pheno\.csv, line 3/);
  });
});
