import { describe, expect, it } from 'vitest';
import { parseTable, sortLevels, numericColumn, isNumericColumn } from '../../src/io/csv.js';
import { MixmcError } from '../../src/errors.js';
import { csvValue } from '../../src/output/files.js';

describe('phenotype CSV reader', () => {
  it('reads comma, tab and semicolon files alike', () => {
    for (const sep of [',', '\t', ';']) {
      const t = parseTable('x.csv', `${['id', 'y', 'f'].join(sep)}\n${['1', '2.5', 'a'].join(sep)}\n`);
      expect(t.header).toEqual(['id', 'y', 'f']);
      expect(t.rows).toEqual([['1', '2.5', 'a']]);
    }
  });

  it('handles quoted fields, CRLF line endings and a UTF-8 BOM', () => {
    const t = parseTable('x.csv', '\uFEFFid,name,y\r\n1,"Smith, J.",3\r\n2,"say ""hi""",4\r\n');
    expect(t.header).toEqual(['id', 'name', 'y']);
    expect(t.rows[0]).toEqual(['1', 'Smith, J.', '3']);
    expect(t.rows[1][1]).toBe('say "hi"');
    expect(t.lines).toEqual([2, 3]);
  });

  it('treats empty, NA and . as missing, and types columns', () => {
    const t = parseTable('x.csv', 'a,b\n1,x\nNA,y\n.,z\n,w\n2e3,1\n');
    expect(isNumericColumn(t, 0)).toBe(true);
    expect(isNumericColumn(t, 1)).toBe(false);
    const a = numericColumn(t, 0, 'a');
    expect(Array.from(a).map((v) => (Number.isNaN(v) ? 'NA' : v))).toEqual([1, 'NA', 'NA', 'NA', 2000]);
  });

  it('a ragged row is an error naming the file and line', () => {
    expect(() => parseTable('pheno.csv', 'id,y\n1,2\n3,4,5\n6,7\n')).toThrowError(/pheno\.csv, line 3: row has 3 fields but the header has 2/);
  });

  it('a non-numeric value where a number is needed names line and column', () => {
    const t = parseTable('pheno.csv', 'id,y\n1,2\n2,abc\n');
    expect(() => numericColumn(t, 1, "the response 'y'")).toThrowError(/pheno\.csv, line 3, column 2, term 'y': the response 'y' must be numeric, found 'abc'/);
  });

  it('a duplicate column name is an error', () => {
    expect(() => parseTable('p.csv', 'id,y,y\n1,2,3\n')).toThrowError(MixmcError);
  });

  it("orders levels as R's factor(): numerically if all numbers, else by code point", () => {
    expect(sortLevels(['10', '9', '2', '100'])).toEqual(['2', '9', '10', '100']);
    expect(sortLevels(['b', 'B', 'a', '10', '9'])).toEqual(['10', '9', 'B', 'a', 'b']);
  });
});

describe('csvValue', () => {
  it('writes at most 10 significant digits, NA for NaN and Inf/-Inf for infinities', () => {
    expect(csvValue(Math.PI)).toBe('3.141592654');
    expect(csvValue(1 / 3)).toBe('0.3333333333');
    expect(csvValue(123456789012)).toBe('123456789000');
    expect(csvValue(6.035e-4)).toBe('0.0006035');
    expect(csvValue(1e-300 / 3)).toBe('3.333333333e-301');
    expect(csvValue(2)).toBe('2');
    expect(csvValue(Number.NaN)).toBe('NA');
    expect(csvValue(Number.POSITIVE_INFINITY)).toBe('Inf');
    expect(csvValue(Number.NEGATIVE_INFINITY)).toBe('-Inf');
  });
});
