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

  it('rejects random slopes and correlated terms with a clear message', () => {
    expect(() => parseFormula('y ~ (x|g)')).toThrowError(/random slopes .* not supported/);
    expect(() => parseFormula('y ~ (1 + x|g)')).toThrowError(/random slopes .* not supported/);
    expect(() => parseFormula('y ~ (1||g)')).toThrowError(/uncorrelated random effects/);
  });

  it('reports the position of syntax errors', () => {
    expect(() => parseFormula('y ~ x +')).toThrowError(/ends with an operator/);
    expect(() => parseFormula('y x')).toThrowError(/expected '~'/);
    expect(() => parseFormula('y ~ a*b')).toThrowError(/'\*' is not supported/);
  });
});
