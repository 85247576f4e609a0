import { describe, expect, it } from 'vitest';
import { parseFormula } from '../../src/model/formula.js';

describe('formula parser', () => {
  it('parses fixed terms, interactions and random intercepts', () => {
    const f = parseFormula('y ~ 1 + x + f + a:b + (1|g) + (1|g2)');
    expect(f.response).toBe('y');
    expect(f.intercept).toBe(true);
    expect(f.fixed.map((t) => t.label)).toEqual(['x', 'f', 'a:b']);
    expect(f.random.map((r) => r.group)).toEqual(['g', 'g2']);
  });

  it('has an intercept by default; 0 + and - 1 remove it', () => {
    expect(parseFormula('y ~ x').intercept).toBe(true);
    expect(parseFormula('y ~ 0 + x').intercept).toBe(false);
    expect(parseFormula('y ~ x - 1').intercept).toBe(false);
    expect(parseFormula('y ~ -1 + x').intercept).toBe(false);
  });

  it('- term removes a term', () => {
    expect(parseFormula('y ~ a + b - a').fixed.map((t) => t.label)).toEqual(['b']);
  });

  it('parses random slopes as lme4 does: (x|g) = (1 + x|g), (0 + x|g) the slope alone, || uncorrelated', () => {
    const coefs = (f: string) => parseFormula(f).random.map((r) => [r.group, r.coefs.join('+'), r.correlated]);
    expect(coefs('y ~ (x|g)')).toEqual([['g', '(Intercept)+x', true]]);
    expect(coefs('y ~ (1 + x|g)')).toEqual([['g', '(Intercept)+x', true]]);
    expect(coefs('y ~ (0 + x|g)')).toEqual([['g', 'x', true]]);
    expect(coefs('y ~ (x - 1|g)')).toEqual([['g', 'x', true]]);
    expect(coefs('y ~ (1 + x + z || g)')).toEqual([['g', '(Intercept)+x+z', false]]);
    expect(coefs('y ~ (1|g)')).toEqual([['g', '(Intercept)', true]]);
  });

  it('rejects random terms it cannot fit, saying why', () => {
    expect(() => parseFormula('y ~ (0|g)')).toThrowError(/needs an intercept or a slope/);
    expect(() => parseFormula('y ~ (1|g) + (0 + x|g)')).toThrowError(/'g' has two random terms; write them as one, e.g. \(1 \+ x\|g\)/);
    expect(() => parseFormula('y ~ (a:b|g)')).toThrowError(/interactions are not supported as random slopes/);
    expect(() => parseFormula('y ~ (x + x|g)')).toThrowError(/slope 'x' is listed twice/);
    expect(() => parseFormula('y ~ (1|a:b)')).toThrowError(/nested grouping factors/);
  });

  it('parses several responses in cbind(…)', () => {
    const f = parseFormula('cbind(y1, y2, y3) ~ 1 + sex + (1|sire)');
    expect(f.responses).toEqual(['y1', 'y2', 'y3']);
    expect(f.response).toBe('y1');
    expect(parseFormula('y ~ 1').responses).toEqual(['y']);
    expect(() => parseFormula('cbind(y1, y1) ~ 1')).toThrowError(/response 'y1' is listed twice/);
    expect(() => parseFormula('cbind(y1 y2) ~ 1')).toThrowError(/expected ',' or '\)' in cbind/);
  });

  it('reports the position of syntax errors', () => {
    expect(() => parseFormula('y ~ x +')).toThrowError(/ends with an operator/);
    expect(() => parseFormula('y x')).toThrowError(/expected '~'/);
    expect(() => parseFormula('y ~ a*b')).toThrowError(/'\*' is not supported/);
  });
});
