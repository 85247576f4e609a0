/**
 * Validation of a user's run object: the only place user errors about the spec are thrown. The
 * result is a {@link ResolvedSpec} with defaults filled in, ready for the design and the sampler.
 */
import { isAbsolute, resolve } from 'node:path';
import { MixmcError } from '../errors.js';
import { parseTable, readTable, type Table } from '../io/csv.js';
import type { CovarianceSpec, DataRow, MarkerSpec, McmcConfig, ResolvedMcmc, RunSpec, VariancePrior } from '../types.js';
import { DEFAULT_MCMC } from './defaults.js';
import { parseFormula, type Formula } from './formula.js';
import { markerTerm } from './names.js';
import { canonicalPrior, MARKER_PRIORS, MARKER_SET_KEYS, PRIOR_OPTIONS } from './priors.js';

export interface ResolvedSpec {
  readonly spec: RunSpec;
  readonly formula: Formula;
  readonly table: Table;
  readonly mcmc: ResolvedMcmc;
  readonly priors: Record<string, VariancePrior>;
  readonly fixedVariances: Record<string, number>;
  /** The marker sets, with canonical prior names, genotype paths resolved, and `name` '' for the one unnamed set. */
  readonly markers: readonly MarkerSpec[];
  /** Covariance structures by random term (paths relative to baseDir). */
  readonly covariance: Record<string, CovarianceSpec>;
  readonly baseDir: string;
}

/**
 * Check a run object and load its data. `baseDir` resolves relative paths (the config file's folder
 * in the CLI, the working directory in the API). `overrides` are command-line flags.
 */
export function resolveSpec(raw: unknown, baseDir: string = process.cwd(), overrides: McmcConfig = {}): ResolvedSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new MixmcError('the run spec must be a JSON object', { term: 'spec' });
  const spec = raw as RunSpec;
  const known = new Set([
    'data',
    'id',
    'formula',
    'factors',
    'priors',
    'fixedVariances',
    'mcmc',
    'markers',
    'pedigree',
    'relationship',
    'covariance',
    'solver',
    'kernel',
    '$schema',
    'description',
  ]);
  for (const key of Object.keys(spec)) {
    if (!known.has(key))
      throw new MixmcError(`unknown key '${key}' in the run spec; expected one of ${[...known].filter((k) => !k.startsWith('$')).join(', ')}`, { term: key });
  }
  if (typeof spec.formula !== 'string' || spec.formula.trim() === '')
    throw new MixmcError('the spec needs a \'formula\' string, e.g. "y ~ 1 + env + (1|sire)"', { term: 'formula' });
  const formula = parseFormula(spec.formula);
  if (spec.id !== undefined && typeof spec.id !== 'string') throw new MixmcError("'id' must be a column name", { term: 'id' });
  if (spec.factors !== undefined && !(Array.isArray(spec.factors) && spec.factors.every((f) => typeof f === 'string'))) {
    throw new MixmcError("'factors' must be a list of column names", { term: 'factors' });
  }
  const table = loadData(spec.data, baseDir);
  const markers = spec.markers === undefined ? [] : checkMarkerSets(spec.markers, baseDir);
  const varianceTerms = new Set<string>([...formula.random.map((r) => r.group), ...markers.map((m) => markerTerm(m.name ?? '')), 'residual']);
  const priors = checkPriors(spec.priors, varianceTerms);
  const fixedVariances = checkFixed(spec.fixedVariances, varianceTerms);
  const mcmc = resolveMcmc({ ...(spec.mcmc ?? {}), ...stripUndefined(overrides) });
  if (spec.kernel !== undefined && !['auto', 'wasm', 'js'].includes(spec.kernel)) {
    throw new MixmcError(`kernel must be one of auto, wasm, js (got ${JSON.stringify(spec.kernel)})`, { term: 'kernel' });
  }
  if (spec.solver !== undefined && !['auto', 'cholesky', 'pcg', 'gauss-seidel'].includes(spec.solver)) {
    throw new MixmcError(`solver must be one of auto, cholesky, pcg, gauss-seidel (got ${JSON.stringify(spec.solver)})`, { term: 'solver' });
  }
  const covariance = checkCovariance(
    spec,
    formula.random.map((r) => r.group),
  );
  if (markers.length > 0 && spec.id === undefined)
    throw new MixmcError("a model with markers needs 'id': the phenotype column that matches the genotype ids", { term: 'id' });
  return { spec, formula, table, mcmc, priors, fixedVariances, markers, covariance, baseDir };
}

/**
 * Covariance structures by random term: `covariance: {term: {pedigree | relationship | genomic: file}}`,
 * or the shorthands `pedigree` / `relationship` for the term 'animal' (or the only random term).
 */
function checkCovariance(spec: RunSpec, terms: readonly string[]): Record<string, CovarianceSpec> {
  const out: Record<string, CovarianceSpec> = {};
  const shorthandTerm = (key: string): string => {
    if (terms.includes('animal')) return 'animal';
    if (terms.length === 1) return terms[0];
    throw new MixmcError(`'${key}' applies to one random term: name it with "covariance": {"TERM": {"${key}": file}}`, { term: key });
  };
  if (spec.pedigree !== undefined) {
    if (typeof spec.pedigree !== 'string') throw new MixmcError("'pedigree' must be the path of a pedigree CSV (id, sire, dam)", { term: 'pedigree' });
    out[shorthandTerm('pedigree')] = { pedigree: spec.pedigree };
  }
  if (spec.relationship !== undefined) {
    if (typeof spec.relationship !== 'string') throw new MixmcError("'relationship' must be the path of a relationship matrix CSV", { term: 'relationship' });
    out[shorthandTerm('relationship')] = { relationship: spec.relationship };
  }
  for (const [term, c] of Object.entries(spec.covariance ?? {})) {
    if (!terms.includes(term))
      throw new MixmcError(`covariance given for '${term}', which is not a random term of the formula (${terms.join(', ') || 'none'})`, {
        term: `covariance.${term}`,
      });
    const o = c as Record<string, unknown>;
    const kinds = ['pedigree', 'relationship', 'genomic'].filter((k) => typeof o[k] === 'string');
    if (kinds.length !== 1)
      throw new MixmcError(`covariance of '${term}' must be exactly one of {"pedigree": file}, {"relationship": file}, {"genomic": file}`, {
        term: `covariance.${term}`,
      });
    if (o.blend !== undefined && typeof o.blend !== 'number') throw new MixmcError('"blend" must be a number in [0, 1)', { term: `covariance.${term}.blend` });
    out[term] = c as CovarianceSpec;
  }
  return out;
}

/** Check spec.markers (one set or a list of named sets); genotype paths are resolved against baseDir. */
function checkMarkerSets(m: unknown, baseDir: string): MarkerSpec[] {
  if (!Array.isArray(m)) return [checkMarkerSet(m, baseDir, 'markers', false)];
  if (m.length === 0) throw new MixmcError("'markers' is an empty list; give one set or leave the key out", { term: 'markers' });
  const sets = m.map((x, k) => checkMarkerSet(x, baseDir, `markers[${k}]`, true));
  const seen = new Set<string>();
  for (const s of sets) {
    if (seen.has(s.name!)) throw new MixmcError(`two marker sets are named '${s.name}'; every set needs its own name`, { term: 'markers' });
    seen.add(s.name!);
  }
  return sets;
}

/** One marker set: known keys for its prior, a genotype file, a valid name (required in a list). */
function checkMarkerSet(m: unknown, baseDir: string, where: string, needsName: boolean): MarkerSpec {
  if (m === null || typeof m !== 'object' || Array.isArray(m))
    throw new MixmcError(`'${where}' must be an object like {"file": "geno.bed", "prior": "BayesC"}`, { term: where });
  const o = m as Record<string, unknown>;
  if (typeof o.prior !== 'string') throw new MixmcError(`${where}.prior must be one of ${MARKER_PRIORS.join(', ')}`, { term: `${where}.prior` });
  const prior = canonicalPrior(o.prior);
  if (!prior) throw new MixmcError(`unknown marker prior '${o.prior}'; expected one of ${MARKER_PRIORS.join(', ')}`, { term: `${where}.prior` });
  const allowed = [...MARKER_SET_KEYS, ...PRIOR_OPTIONS[prior]];
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      throw new MixmcError(`unknown key '${k}' for a ${prior} marker set; expected one of ${allowed.join(', ')}`, { term: `${where}.${k}` });
  if (o.name !== undefined && !(typeof o.name === 'string' && /^[A-Za-z0-9_.-]+$/.test(o.name))) {
    throw new MixmcError(`${where}.name must be a word of letters, digits, '_', '.' or '-'`, { term: `${where}.name` });
  }
  if (needsName && o.name === undefined)
    throw new MixmcError(`${where} needs a "name": every set of a list of marker sets is named`, { term: `${where}.name` });
  if (typeof o.file !== 'string' || o.file === '')
    throw new MixmcError(`${where}.file must be the path of a .bed or a genotype CSV`, { term: `${where}.file` });
  if (o.pi !== undefined && !(typeof o.pi === 'number' && o.pi > 0 && o.pi < 1))
    throw new MixmcError(`${where}.pi (the prior probability of a zero effect) must be in (0, 1)`, { term: `${where}.pi` });
  for (const k of ['estimatePi', 'center', 'dropUngenotyped']) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new MixmcError(`${where}.${k} must be true or false`, { term: `${where}.${k}` });
  }
  for (const k of ['shape', 'lambda']) {
    if (o[k] !== undefined && !(typeof o[k] === 'number' && (o[k] as number) > 0))
      throw new MixmcError(`${where}.${k} must be a positive number`, { term: `${where}.${k}` });
  }
  if (o.saveEffects !== undefined && !(Number.isInteger(o.saveEffects) && (o.saveEffects as number) >= 0)) {
    throw new MixmcError(`${where}.saveEffects must be a whole number >= 0 (0 keeps no effect draws)`, { term: `${where}.saveEffects` });
  }
  const pp = o.piPrior as { a?: unknown; b?: unknown } | undefined;
  if (pp !== undefined && !(typeof pp === 'object' && typeof pp.a === 'number' && typeof pp.b === 'number' && pp.a > 0 && pp.b > 0)) {
    throw new MixmcError(`${where}.piPrior must be {"a": > 0, "b": > 0}`, { term: `${where}.piPrior` });
  }
  const file = isAbsolute(o.file) ? o.file : resolve(baseDir, o.file);
  return { ...(o as unknown as MarkerSpec), prior, file, name: (o.name as string | undefined) ?? '' };
}

function stripUndefined(o: McmcConfig): McmcConfig {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as McmcConfig;
}

function loadData(data: RunSpec['data'], baseDir: string): Table {
  if (typeof data === 'string') {
    const file = isAbsolute(data) ? data : resolve(baseDir, data);
    return readTable(file);
  }
  if (Array.isArray(data)) return rowsToTable(data);
  throw new MixmcError("'data' must be a CSV path or an array of row objects", { term: 'data' });
}

/** Rows given in memory become a table of strings, as if read from a file called "data". */
export function rowsToTable(rows: readonly DataRow[]): Table {
  if (rows.length === 0) throw new MixmcError('the data has no rows', { term: 'data' });
  const header = Object.keys(rows[0]);
  const cell = (v: DataRow[string]): string => (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v));
  const body = rows.map((r, i) => {
    const keys = Object.keys(r);
    if (keys.length !== header.length || keys.some((k) => !header.includes(k))) {
      throw new MixmcError(`row ${i + 1} has columns [${keys.join(', ')}] but row 1 has [${header.join(', ')}]`, { file: 'data', line: i + 2 });
    }
    return header.map((h) => cell(r[h]));
  });
  const text = [header, ...body].map((r) => r.map(quote).join(',')).join('\n');
  return parseTable('data', text);
}

function quote(s: string): string {
  return /[",\n;\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function checkPriors(priors: unknown, terms: Set<string>): Record<string, VariancePrior> {
  if (priors === undefined) return {};
  if (priors === null || typeof priors !== 'object') throw new MixmcError("'priors' must be an object of {df, scale} by term", { term: 'priors' });
  const out: Record<string, VariancePrior> = {};
  for (const [term, p] of Object.entries(priors as Record<string, unknown>)) {
    if (!terms.has(term))
      throw new MixmcError(`prior given for '${term}', which is not a variance term of the model (${[...terms].join(', ')})`, { term: `priors.${term}` });
    const v = p as Partial<VariancePrior>;
    if (!v || typeof v.df !== 'number' || typeof v.scale !== 'number' || !(v.df > 0) || !(v.scale > 0)) {
      throw new MixmcError(`prior for '${term}' must be {"df": ν > 0, "scale": s² > 0} (scaled-inverse-χ²)`, { term: `priors.${term}` });
    }
    out[term] = { df: v.df, scale: v.scale };
  }
  return out;
}

function checkFixed(fixed: unknown, terms: Set<string>): Record<string, number> {
  if (fixed === undefined) return {};
  if (fixed === null || typeof fixed !== 'object') throw new MixmcError("'fixedVariances' must be an object of numbers by term", { term: 'fixedVariances' });
  const out: Record<string, number> = {};
  for (const [term, v] of Object.entries(fixed as Record<string, unknown>)) {
    if (!terms.has(term)) throw new MixmcError(`'${term}' is not a variance term of the model (${[...terms].join(', ')})`, { term: `fixedVariances.${term}` });
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
      throw new MixmcError(`fixed variance of '${term}' must be a positive number`, { term: `fixedVariances.${term}` });
    out[term] = v;
  }
  return out;
}

/** Fill in chain defaults and check them. */
export function resolveMcmc(m: McmcConfig): ResolvedMcmc {
  const r: ResolvedMcmc = { ...DEFAULT_MCMC, ...m };
  const int = (name: keyof McmcConfig, min: number): void => {
    const v = r[name];
    if (name === 'workers' && v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new MixmcError(`mcmc.${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`, { term: `mcmc.${name}` });
  };
  int('chains', 1);
  int('iterations', 1);
  int('burnin', 0);
  int('thin', 1);
  int('seed', 0);
  int('workers', 0);
  int('traceLevels', 0);
  if (r.burnin >= r.iterations) throw new MixmcError(`mcmc.burnin (${r.burnin}) must be less than mcmc.iterations (${r.iterations})`, { term: 'mcmc.burnin' });
  return r;
}
