/**
 * lme4-style model formulas: `y ~ 1 + x + f + a:b + (1|g) + (1 + x|g2)`, and several responses
 * `cbind(y1, y2) ~ …` (the same terms for each trait).
 *
 * - The intercept is in by default; `0 +`, `+ 0` or `- 1` removes it.
 * - `a:b` is an interaction of variables (factors or covariates).
 * - `(1|g)` is a random intercept for the levels of g (its covariance is iid unless the spec gives
 *   one for g); `(x|g)` and `(1 + x|g)` add a random slope on the covariate x, correlated with the
 *   intercept; `(0 + x|g)` is the slope alone; `(1 + x || g)` makes the coefficients uncorrelated.
 * - `- term` removes a term listed before it.
 */
import { MixmcError } from '../errors.js';

export interface FixedTerm {
  /** The variables multiplied in this term, e.g. ['a', 'b'] for a:b. */
  readonly vars: readonly string[];
  /** How the term was written, for messages: 'a:b'. */
  readonly label: string;
}

/** The intercept's name among a random term's coefficients. */
export const INTERCEPT = '(Intercept)';

export interface RandomTerm {
  /** The grouping variable of `(… | group)`. */
  readonly group: string;
  /** The coefficients of each level: '(Intercept)' and covariate names, in the order written. */
  readonly coefs: readonly string[];
  /** Whether the coefficients are correlated (`|`) or independent (`||`). */
  readonly correlated: boolean;
}

export interface Formula {
  /** The first response (the only one of a single-trait model). */
  readonly response: string;
  /** Every response: `cbind(y1, y2)` gives two. */
  readonly responses: readonly string[];
  readonly intercept: boolean;
  readonly fixed: readonly FixedTerm[];
  readonly random: readonly RandomTerm[];
}

type Token = { kind: 'name'; text: string; pos: number } | { kind: 'num'; text: string; pos: number } | { kind: 'op'; text: string; pos: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw formulaError(src, i, 'unclosed backquote');
      out.push({ kind: 'name', text: src.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (/[A-Za-z_.]/.test(ch)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_.]/.test(src[j])) j++;
      out.push({ kind: 'name', text: src.slice(i, j), pos: i });
      i = j;
    } else if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < src.length && /[0-9.]/.test(src[j])) j++;
      out.push({ kind: 'num', text: src.slice(i, j), pos: i });
      i = j;
    } else if (src.startsWith('||', i)) {
      out.push({ kind: 'op', text: '||', pos: i });
      i += 2;
    } else if ('~+-:()|*/^,'.includes(ch)) {
      out.push({ kind: 'op', text: ch, pos: i });
      i++;
    } else {
      throw formulaError(src, i, `unexpected character '${ch}'`);
    }
  }
  return out;
}

function formulaError(src: string, pos: number, msg: string): MixmcError {
  return new MixmcError(`${msg} at position ${pos + 1} of the formula "${src}"`, { term: 'formula' });
}

/**
 * Parse a formula string.
 * @example
 * const f = parseFormula('y ~ 1 + env + (1|sire)');
 * // f.response === 'y', f.intercept === true, f.fixed[0].vars === ['env'], f.random[0].group === 'sire'
 */
export function parseFormula(src: string): Formula {
  const toks = tokenize(src);
  let k = 0;
  const peek = (): Token | undefined => toks[k];
  const end = src.length;
  const expectOp = (text: string): Token => {
    const t = toks[k];
    if (t?.kind !== 'op' || t.text !== text) {
      throw formulaError(src, t ? t.pos : end, `expected '${text}'${t ? ` but found '${t.text}'` : ' but the formula ended'}`);
    }
    k++;
    return t;
  };

  /** `y` or `cbind(y1, y2, …)`. */
  const parseResponses = (): string[] => {
    const first = peek();
    if (first?.kind !== 'name') throw formulaError(src, first ? first.pos : 0, 'expected the response name before ~');
    k++;
    if (first.text !== 'cbind' || toks[k]?.text !== '(') return [first.text];
    k++;
    const names: string[] = [];
    for (;;) {
      const t = toks[k];
      if (t?.kind !== 'name') throw formulaError(src, t ? t.pos : end, 'expected a response name inside cbind(…)');
      if (names.includes(t.text)) throw formulaError(src, t.pos, `response '${t.text}' is listed twice`);
      names.push(t.text);
      k++;
      const sep = toks[k];
      if (sep?.kind === 'op' && sep.text === ')') break;
      if (!(sep?.kind === 'op' && sep.text === ',')) {
        throw formulaError(src, sep ? sep.pos : end, "expected ',' or ')' in cbind(…)");
      }
      k++;
    }
    k++;
    return names;
  };

  /** `(coefs | group)` or `(coefs || group)`, from after the '(' to after the ')'. */
  const parseRandom = (open: Token): RandomTerm => {
    let withIntercept = true;
    const slopes: string[] = [];
    let expectCoef = true;
    let coefSign = 1;
    let bar: Token | undefined;
    while (k < toks.length) {
      const t = toks[k];
      if (t.kind === 'op' && (t.text === '|' || t.text === '||')) {
        bar = t;
        k++;
        break;
      }
      if (t.kind === 'op' && (t.text === '+' || t.text === '-')) {
        coefSign = t.text === '-' ? -1 : 1;
        expectCoef = true;
        k++;
        continue;
      }
      if (!expectCoef) throw formulaError(src, t.pos, `expected + or | before '${t.text}'`);
      if (t.kind === 'num' && (t.text === '0' || t.text === '1')) withIntercept = (t.text === '1') === coefSign > 0;
      else if (t.kind === 'name') {
        if (toks[k + 1]?.kind === 'op' && toks[k + 1].text === ':')
          throw formulaError(src, toks[k + 1].pos, 'interactions are not supported as random slopes; make a column for the product');
        if (coefSign < 0) throw formulaError(src, t.pos, 'a random slope cannot be removed with -');
        if (slopes.includes(t.text)) throw formulaError(src, t.pos, `slope '${t.text}' is listed twice`);
        slopes.push(t.text);
      } else throw formulaError(src, t.pos, `unexpected '${t.text}' in a random term`);
      coefSign = 1;
      expectCoef = false;
      k++;
    }
    if (!bar) throw formulaError(src, open.pos, 'parenthesised terms must be random effects of the form (1|group) or (1 + x|group)');
    const coefs = [...(withIntercept ? [INTERCEPT] : []), ...slopes];
    if (coefs.length === 0) throw formulaError(src, open.pos, 'a random term needs an intercept or a slope');
    const g = toks[k];
    if (g?.kind !== 'name') throw formulaError(src, g ? g.pos : end, `expected a grouping variable after ${bar.text}`);
    k++;
    if (toks[k] && toks[k].kind === 'op' && toks[k].text === ':') {
      throw formulaError(src, toks[k].pos, 'nested grouping factors (1|a:b) are not supported; make a column for the combined factor');
    }
    expectOp(')');
    return { group: g.text, coefs, correlated: bar.text === '|' };
  };

  const responses = parseResponses();
  expectOp('~');
  if (k >= toks.length) throw formulaError(src, end, 'expected terms after ~');

  let intercept = true;
  const fixed: FixedTerm[] = [];
  const random: RandomTerm[] = [];
  const fixedKey = (vars: readonly string[]): string => [...vars].sort().join(':');

  let sign = 1;
  let expectTerm = true;
  while (k < toks.length) {
    const t = toks[k];
    if (!expectTerm) {
      if (t.kind === 'op' && (t.text === '+' || t.text === '-')) {
        sign = t.text === '+' ? 1 : -1;
        k++;
        expectTerm = true;
        continue;
      }
      if (t.kind === 'op' && (t.text === '*' || t.text === '/' || t.text === '^')) {
        throw formulaError(src, t.pos, `'${t.text}' is not supported; write the terms out with + and :`);
      }
      throw formulaError(src, t.pos, `expected + or - before '${t.text}'`);
    }
    if (t.kind === 'op' && (t.text === '+' || t.text === '-')) {
      // a leading sign, as in "y ~ -1 + x"
      sign = t.text === '+' ? sign : -sign;
      k++;
      continue;
    }
    if (t.kind === 'num') {
      if (t.text === '1') intercept = sign > 0;
      else if (t.text === '0') intercept = sign < 0;
      else throw formulaError(src, t.pos, `a number in a formula must be 0 or 1, found '${t.text}'`);
      k++;
    } else if (t.kind === 'op' && t.text === '(') {
      const open = t;
      k++;
      const term = parseRandom(open);
      if (sign < 0) throw formulaError(src, open.pos, 'a random term cannot be removed with -');
      if (random.some((r) => r.group === term.group))
        throw formulaError(src, open.pos, `the grouping variable '${term.group}' has two random terms; write them as one, e.g. (1 + x|${term.group})`);
      random.push(term);
    } else if (t.kind === 'name') {
      const vars = [t.text];
      k++;
      while (toks[k] && toks[k].kind === 'op' && toks[k].text === ':') {
        k++;
        const n = toks[k];
        if (n?.kind !== 'name') throw formulaError(src, n ? n.pos : end, "expected a variable name after ':'");
        vars.push(n.text);
        k++;
      }
      if (new Set(vars).size !== vars.length) throw formulaError(src, t.pos, `a variable appears twice in '${vars.join(':')}'`);
      const key = fixedKey(vars);
      const at = fixed.findIndex((f) => fixedKey(f.vars) === key);
      if (sign > 0 && at < 0) fixed.push({ vars, label: vars.join(':') });
      else if (sign < 0 && at >= 0) fixed.splice(at, 1);
    } else {
      throw formulaError(src, t.pos, `unexpected '${t.text}'`);
    }
    sign = 1;
    expectTerm = false;
  }
  if (expectTerm) throw formulaError(src, end, 'the formula ends with an operator');
  return { response: responses[0], responses, intercept, fixed, random };
}
