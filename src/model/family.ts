/**
 * Response families: Gaussian, and the threshold traits fitted on a latent normal liability
 * (Albert & Chib 1993; Sorensen & Gianola 2002, ch. 14): binary (two categories), ordinal (ordered
 * categories), and censored (a Gaussian value known only to lie between a lower and an upper bound).
 *
 * - binary: the response holds 0 and 1 (or two labels given in `categories`, the first one low);
 * - ordinal: categories in their order — the `categories` given in the spec, else the sorted numeric
 *   values, else R's factor order of the labels; at most 50;
 * - censored: bound columns `lower` and `upper` (empty or NA for an open side): an exact record
 *   has its value in the response (or equal bounds), a right-censored one a lower bound only, a
 *   left-censored one an upper bound only, an interval-censored one both.
 */
import { MixmcError } from '../errors.js';
import { columnIndex, isMissing, numericColumn, sortLevels, type Table } from '../io/csv.js';
import type { CensoringBounds, FamilyName, RunSpec } from '../types.js';
import { didYouMean, MAX_CATEGORIES } from './schema.js';

/** A censored value's stand-in for the default priors' scale: the middle of its interval, or its one finite bound. */
export function standIn(lower: number, upper: number): number {
  if (Number.isFinite(lower) && Number.isFinite(upper)) return (lower + upper) / 2;
  return Number.isFinite(lower) ? lower : upper;
}

/** What the spec says about one response. */
export interface FamilySpec {
  family: FamilyName;
  categories?: readonly string[];
  bounds?: CensoringBounds;
}

/**
 * The family of every response from the spec's `family`, `categories` and `bounds` (each a plain
 * value for a single response, or a map by response).
 * @throws MixmcError naming the key: a response not in the formula, a plain value with several
 *   responses, categories for a non-threshold family, bounds missing or given for another family.
 */
export function resolveFamilies(spec: RunSpec, responses: readonly string[]): Record<string, FamilySpec> {
  const byResponse = <T>(key: string, value: T | Record<string, T> | undefined, isPlain: (v: unknown) => boolean): Record<string, T> => {
    if (value === undefined) return {};
    if (isPlain(value)) {
      if (responses.length > 1) {
        throw new MixmcError(`with several responses, give "${key}" by response, e.g. {"${responses[0]}": …}`, { term: key });
      }
      return { [responses[0]]: value as T };
    }
    const map = value as Record<string, T>;
    for (const r of Object.keys(map)) {
      if (!responses.includes(r)) {
        throw new MixmcError(`${key} names '${r}', which is not a response of the formula${didYouMean(r, responses)} (responses: ${responses.join(', ')})`, {
          term: `${key}.${r}`,
        });
      }
    }
    return map;
  };
  const families = byResponse<FamilyName>('family', spec.family, (v) => typeof v === 'string');
  const categories = byResponse<(string | number)[]>('categories', spec.categories, Array.isArray);
  const bounds = byResponse<CensoringBounds>('bounds', spec.bounds, (v) => typeof v === 'object' && v !== null && 'lower' in v);
  const out: Record<string, FamilySpec> = {};
  for (const r of responses) {
    const family = families[r] ?? 'gaussian';
    const cats = categories[r];
    if (cats !== undefined && family !== 'binary' && family !== 'ordinal') {
      throw new MixmcError(`categories are given for '${r}', whose family is ${family}; they belong to a binary or ordinal trait`, { term: 'categories' });
    }
    if (family === 'censored' && bounds[r] === undefined) {
      throw new MixmcError(`the censored trait '${r}' needs "bounds": {"lower": COLUMN, "upper": COLUMN}, the columns of its bounds`, { term: 'bounds' });
    }
    if (family !== 'censored' && bounds[r] !== undefined) {
      throw new MixmcError(`bounds are given for '${r}', whose family is ${family}; they belong to a censored trait`, { term: 'bounds' });
    }
    out[r] = { family, ...(cats ? { categories: cats.map(String) } : {}), ...(bounds[r] ? { bounds: bounds[r] } : {}) };
  }
  if (spec.thresholds !== undefined && !Object.values(out).some((f) => f.family === 'ordinal')) {
    throw new MixmcError('"thresholds" sets how an ordinal trait\'s thresholds are drawn, but no response is ordinal', { term: 'thresholds' });
  }
  return out;
}

/** A response's family over the design's records (`category` and the bounds by record). */
export type FamilyDesign =
  | { readonly kind: 'gaussian' }
  | {
      readonly kind: 'threshold';
      readonly family: 'binary' | 'ordinal';
      readonly categories: readonly string[];
      /** The category of each record (−1 where missing). */
      readonly category: Int32Array;
      /** Records in each category. */
      readonly counts: Int32Array;
    }
  | {
      readonly kind: 'censored';
      /** Bounds of each record's value (−∞/+∞ for an open side; equal for an exact value; NaN where missing). */
      readonly lower: Float64Array;
      readonly upper: Float64Array;
    };

/** A response read from the table: its value per table row (NaN where missing), and what its family needs by row. */
export interface ResponseColumn {
  /** Gaussian and censored: the value (NaN where not exact); threshold: the category index. */
  values: Float64Array;
  /** Whether the row carries information about the response (a value, a category, or a bound). */
  informative: Uint8Array;
  /** Threshold traits: the categories in order. */
  categories?: string[];
  /** Censored traits: the bounds by row. */
  lower?: Float64Array;
  upper?: Float64Array;
}

/**
 * Read a response column by its family.
 * @throws MixmcError naming the file, line and column: non-numeric Gaussian values, a binary code
 *   other than 0/1, an unknown or empty category, too many categories, reversed bounds.
 */
export function readResponse(table: Table, name: string, spec: FamilySpec = { family: 'gaussian' }): ResponseColumn {
  const col = columnIndex(table, name, name);
  const where = (r: number) => ({ file: table.file, line: table.lines[r], column: name });
  const nRows = table.rows.length;
  if (spec.family === 'gaussian' || spec.family === 'censored') {
    const values = numericColumn(table, col, `the response '${name}'`);
    const informative = Uint8Array.from(values, (v) => (Number.isNaN(v) ? 0 : 1));
    if (spec.family === 'gaussian') return { values, informative };
    const bounds = spec.bounds!;
    const lo = numericColumn(table, columnIndex(table, bounds.lower, bounds.lower), `the lower bound '${bounds.lower}'`);
    const hi = numericColumn(table, columnIndex(table, bounds.upper, bounds.upper), `the upper bound '${bounds.upper}'`);
    const lower = new Float64Array(nRows);
    const upper = new Float64Array(nRows);
    for (let r = 0; r < nRows; r++) {
      if (!Number.isNaN(values[r])) {
        lower[r] = values[r];
        upper[r] = values[r];
        continue;
      }
      lower[r] = Number.isNaN(lo[r]) ? -Infinity : lo[r];
      upper[r] = Number.isNaN(hi[r]) ? Infinity : hi[r];
      if (lower[r] > upper[r]) {
        throw new MixmcError(`the censoring bounds are reversed: lower ${lo[r]} > upper ${hi[r]}; swap them`, { ...where(r), column: bounds.lower });
      }
      if (lower[r] === upper[r]) values[r] = lower[r];
      informative[r] = Number.isFinite(lower[r]) || Number.isFinite(upper[r]) ? 1 : 0;
      if (!informative[r]) {
        lower[r] = Number.NaN;
        upper[r] = Number.NaN;
      }
    }
    return { values, informative, lower, upper };
  }
  const labels = table.rows.map((row) => row[col]);
  const present = labels.filter((l) => !isMissing(l));
  let categories: string[];
  if (spec.categories) {
    categories = [...spec.categories];
    const known = new Set(categories);
    labels.forEach((l, r) => {
      if (!isMissing(l) && !known.has(l)) {
        throw new MixmcError(`'${l}' is not one of the categories ${categories.map((c) => `'${c}'`).join(', ')} given for '${name}'`, where(r));
      }
    });
  } else if (spec.family === 'binary') {
    labels.forEach((l, r) => {
      if (!isMissing(l) && l !== '0' && l !== '1') {
        throw new MixmcError(`a binary trait takes 0 and 1, found '${l}'; recode it, or give its two categories in "categories" (the first one low)`, where(r));
      }
    });
    categories = ['0', '1'];
  } else {
    categories = sortLevels(present);
  }
  if (spec.family === 'binary' && categories.length !== 2) {
    throw new MixmcError(`a binary trait has two categories; '${name}' is given ${categories.length}`, { file: table.file, column: name });
  }
  if (categories.length > MAX_CATEGORIES) {
    throw new MixmcError(
      `'${name}' has ${categories.length} categories; an ordinal trait takes at most ${MAX_CATEGORIES} (is it a continuous trait? use "gaussian")`,
      {
        file: table.file,
        column: name,
      },
    );
  }
  const index = new Map(categories.map((c, k) => [c, k]));
  const values = Float64Array.from(labels, (l) => (isMissing(l) ? Number.NaN : index.get(l)!));
  const informative = Uint8Array.from(values, (v) => (Number.isNaN(v) ? 0 : 1));
  return { values, informative, categories };
}

/**
 * A response's family over the design's records, checked: every category of a threshold trait
 * occupied, at least two.
 * @throws MixmcError naming the response: one category only, a category with no records.
 */
export function familyDesign(column: ResponseColumn, spec: FamilySpec | undefined, name: string, records: readonly number[], file: string): FamilyDesign {
  const family = spec?.family ?? 'gaussian';
  if (family === 'gaussian') return { kind: 'gaussian' };
  if (family === 'censored') {
    return { kind: 'censored', lower: Float64Array.from(records, (r) => column.lower![r]), upper: Float64Array.from(records, (r) => column.upper![r]) };
  }
  const categories = column.categories!;
  const category = Int32Array.from(records, (r) => (Number.isNaN(column.values[r]) ? -1 : column.values[r]));
  const counts = new Int32Array(categories.length);
  for (const c of category) if (c >= 0) counts[c]++;
  const used = counts.filter((c) => c > 0).length;
  if (used < 2) {
    throw new MixmcError(
      `the ${family} trait '${name}' has one category only among the records used ('${categories[counts.findIndex((c) => c > 0)]}'): there is nothing to fit`,
      {
        file,
        column: name,
      },
    );
  }
  const empty = categories.filter((_, k) => counts[k] === 0);
  if (empty.length > 0) {
    throw new MixmcError(
      `category ${empty.map((c) => `'${c}'`).join(', ')} of '${name}' has no record among those used; drop it from "categories" or merge it with a neighbour`,
      {
        file,
        column: name,
      },
    );
  }
  return { kind: 'threshold', family, categories, category, counts };
}
