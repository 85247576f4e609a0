/**
 * A batch plan (PLAN.json): an output root, and jobs — fits, cross-validations and calibrations —
 * listed one by one or as grids that expand into them. A job's spec is a file (its relative paths
 * then resolve against that file's folder) or an object (against the plan's folder); `set` changes
 * keys of it by dotted path, and a grid's `vary` gives each key a list of values whose every
 * combination is a job. Each job is named by a SHA-256 of what it is — its kind, its resolved spec,
 * its options and the folder its paths resolve against — and its output goes to
 * OUT/KIND-HASH (the first 16 hex digits), so that a rerun of a plan finds what is done.
 *
 * @example
 * {
 *   "out": "results",
 *   "jobs": [{ "kind": "fit", "spec": "wheat.json" }],
 *   "grid": [{ "kind": "cv", "spec": "wheat.json", "folds": 5,
 *              "vary": { "formula": ["y1 ~ 1", "y2 ~ 1"], "markers.prior": ["BRR", "BayesC"] } }]
 * }
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { MixmcError } from '../errors.js';
import { readJsonFile } from '../io/json.js';
import { canonicalHash } from '../run/fingerprint.js';
import type { RunSpec } from '../types.js';

export type JobKind = 'fit' | 'cv' | 'sbc';

/** Options of a cv or sbc job (the CLI flags of those commands). */
export interface JobOptions {
  folds?: number;
  repeats?: number;
  foldColumn?: string;
  trait?: string;
  sims?: number;
  draws?: number;
  bins?: number;
}

/** One job as the plan gives it. */
interface PlanJob extends JobOptions {
  name?: string;
  kind: JobKind;
  spec: string | RunSpec;
  set?: Record<string, unknown>;
}

interface PlanGrid extends PlanJob {
  vary: Record<string, unknown[]>;
}

interface Plan {
  out: string;
  jobs?: PlanJob[];
  grid?: PlanGrid[];
}

/** A job ready to run anywhere that sees the same paths: plain data (it travels through the queue). */
export interface BatchJob {
  id: string;
  name: string;
  kind: JobKind;
  spec: RunSpec;
  options: JobOptions;
  /** The folder the spec's relative paths resolve against. */
  baseDir: string;
  /** Its output: a run directory (fit) or a cv/sbc folder. */
  dir: string;
  /** The batch's output root (where jobs/ keeps each job's record). */
  root: string;
}

const KINDS: readonly JobKind[] = ['fit', 'cv', 'sbc'];
const OPTION_KEYS = ['folds', 'repeats', 'foldColumn', 'trait', 'sims', 'draws', 'bins'] as const;

/** A copy of `spec` with `path` (dotted) set to `value`. */
function setPath(spec: RunSpec, path: string, value: unknown): RunSpec {
  const out = structuredClone(spec) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let at = out;
  for (const k of keys.slice(0, -1)) {
    if (at[k] === undefined) at[k] = {};
    if (typeof at[k] !== 'object' || at[k] === null) throw new MixmcError(`cannot set '${path}': '${k}' is not an object in the spec`, { term: path });
    at = at[k] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]] = value;
  return out as unknown as RunSpec;
}

/** Every combination of the values of `vary`, as lists of [path, value]. */
function combinations(vary: Record<string, unknown[]>, file: string): [string, unknown][][] {
  let out: [string, unknown][][] = [[]];
  for (const [path, values] of Object.entries(vary)) {
    if (!Array.isArray(values) || values.length === 0)
      throw new MixmcError(`grid: vary.${path} must be a non-empty list of values`, { file, term: `vary.${path}` });
    out = out.flatMap((combo) => values.map((v) => [...combo, [path, v] as [string, unknown]]));
  }
  return out;
}

/**
 * Read and expand a plan.
 * @throws MixmcError naming the file and key: no `out`, an unknown kind, a job without a spec, a cv
 *   without folds, an sbc without sims, an empty grid.
 */
export function readPlan(file: string): BatchJob[] {
  const planDir = dirname(resolve(file));
  const plan = readJsonFile(file, 'plan') as Plan;
  if (typeof plan !== 'object' || plan === null || typeof plan.out !== 'string')
    throw new MixmcError('a plan needs "out": the output root of its jobs', { file, term: 'out' });
  const root = resolve(planDir, plan.out);
  const entries: { job: PlanJob; vary?: [string, unknown][]; where: string }[] = [];
  (plan.jobs ?? []).forEach((job, k) => entries.push({ job, where: `jobs[${k}]` }));
  (plan.grid ?? []).forEach((grid, k) => {
    if (typeof grid.vary !== 'object' || grid.vary === null)
      throw new MixmcError(`grid[${k}] needs "vary": lists of values by spec key`, { file, term: `grid[${k}].vary` });
    for (const combo of combinations(grid.vary, file)) entries.push({ job: grid, vary: combo, where: `grid[${k}]` });
  });
  if (entries.length === 0) throw new MixmcError('the plan has no jobs: give "jobs" or "grid"', { file, term: 'jobs' });
  const jobs = entries.map(({ job, vary, where }) => {
    if (!KINDS.includes(job.kind))
      throw new MixmcError(`${where}.kind must be one of ${KINDS.join(', ')} (got ${JSON.stringify(job.kind)})`, { file, term: `${where}.kind` });
    if (job.spec === undefined) throw new MixmcError(`${where} needs "spec": a spec file or object`, { file, term: `${where}.spec` });
    if (job.kind === 'cv' && job.folds === undefined && job.foldColumn === undefined)
      throw new MixmcError(`${where}: a cv job needs "folds" or "foldColumn"`, { file, term: `${where}.folds` });
    if (job.kind === 'sbc' && job.sims === undefined) throw new MixmcError(`${where}: an sbc job needs "sims"`, { file, term: `${where}.sims` });
    const fromFile = typeof job.spec === 'string';
    const specFile = fromFile ? (isAbsolute(job.spec as string) ? (job.spec as string) : resolve(planDir, job.spec as string)) : undefined;
    let spec: RunSpec = specFile ? (readJsonFile(specFile, 'config') as RunSpec) : (job.spec as RunSpec);
    for (const [path, value] of Object.entries(job.set ?? {})) spec = setPath(spec, path, value);
    for (const [path, value] of vary ?? []) spec = setPath(spec, path, value);
    const baseDir = specFile ? dirname(specFile) : planDir;
    const options: JobOptions = {};
    for (const key of OPTION_KEYS) if (job[key] !== undefined) (options as Record<string, unknown>)[key] = job[key];
    const id = canonicalHash({ kind: job.kind, spec, options, baseDir });
    const label = vary && vary.length > 0 ? vary.map(([p, v]) => `${p}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : '';
    return {
      id,
      name: job.name ?? (`${job.kind} ${label}`.trim() || job.kind),
      kind: job.kind,
      spec,
      options,
      baseDir,
      dir: join(root, `${job.kind}-${id.slice(0, 16)}`),
      root,
    };
  });
  const seen = new Map<string, string>();
  for (const j of jobs) {
    const before = seen.get(j.id);
    if (before !== undefined) throw new MixmcError(`jobs '${before}' and '${j.name}' are the same job`, { file, term: 'jobs' });
    seen.set(j.id, j.name);
  }
  return jobs;
}
