/**
 * lme4-style model formulas: `y ~ 1 + x + f + a:b + (1|g) + (1|g2)`.
 *
 * - The intercept is in by default; `0 +`, `+ 0` or `- 1` removes it.
 * - `a:b` is an interaction of variables (factors or covariates).
 * - `(1|g)` is a random intercept for the levels of g (its covariance is iid unless the spec gives
 *   one for g).
 * - `- term` removes a term listed before it.
 * Random slopes `(x|g)`, `(1 + x|g)` and uncorrelated terms `(1||g)` are not supported and are
 * rejected with an explicit message.
 */
import { MixmcError } from '../errors.js';

export interface FixedTerm {
  /** The variables multiplied in this term, e.g. ['a', 'b'] for a:b. */
  readonly vars: readonly string[];
  /** How the term was written, for messages: 'a:b'. */
  readonly label: string;
}

export interface RandomTerm {
  /** The grouping variable of `(1|group)`. */
  readonly group: string;
}

export interface Formula {
  readonly response: string;
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
    } else if ('~+-:()|*/^'.includes(ch)) {
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

  const first = peek();
  if (first?.kind !== 'name') throw formulaError(src, first ? first.pos : 0, 'expected the response name before ~');
  const response = first.text;
  k++;
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
      const a = toks[k];
      const bar = toks[k + 1];
      const barIndex = toks.findIndex((x, idx) => idx > k && x.kind === 'op' && (x.text === '|' || x.text === '||'));
      if (barIndex < 0) throw formulaError(src, open.pos, 'parenthesised terms must be random effects of the form (1|group)');
      if (toks[barIndex].text === '||') {
        throw formulaError(src, toks[barIndex].pos, 'uncorrelated random effects (||) are not supported; use (1|group)');
      }
      if (!(a && a.kind === 'num' && a.text === '1' && bar && bar.kind === 'op' && bar.text === '|')) {
        throw formulaError(src, open.pos, 'random slopes and correlated random terms are not supported; only random intercepts (1|group)');
      }
      k += 2;
      const g = toks[k];
      if (g?.kind !== 'name') throw formulaError(src, g ? g.pos : end, 'expected a grouping variable after |');
      k++;
      if (toks[k] && toks[k].kind === 'op' && toks[k].text === ':') {
        throw formulaError(src, toks[k].pos, 'nested grouping factors (1|a:b) are not supported; make a column for the combined factor');
      }
      expectOp(')');
      if (sign < 0) throw formulaError(src, open.pos, 'a random term cannot be removed with -');
      if (random.some((r) => r.group === g.text)) throw formulaError(src, open.pos, `random term (1|${g.text}) is listed twice`);
      random.push({ group: g.text });
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
  return { response, intercept, fixed, random };
}
