/**
 * A run's fingerprint: a SHA-256 of its spec and of every input file (the data, each marker set's
 * genotypes with a .bed's .bim and .fam, every pedigree and relationship matrix), recorded in
 * run.json and checked when the run is resumed, so that a run never continues on inputs it did not
 * start from.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { MixmcError } from '../errors.js';
import type { ResolvedSpec } from '../model/spec.js';
import { onPath } from '../output/environment.js';

export interface Fingerprint {
  /**
   * SHA-256 of the spec (canonical JSON: keys sorted) with its chain settings as resolved, without
   * the iterations (which --extend changes) and the worker count (which may change).
   */
  spec: string;
  /** SHA-256 of every input file, by path. */
  files: Record<string, string>;
}

/** JSON with object keys sorted, so that equal specs give equal text. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x);
}

function sha(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of a value's canonical JSON (object keys sorted; undefined members left out, as JSON does). */
export function canonicalHash(x: unknown): string {
  return sha(canonical(JSON.parse(JSON.stringify(x))));
}

/** The spec's hash with the resolved chain settings: everything but the number of iterations and the worker count. */
export function specHash(resolved: ResolvedSpec): string {
  const { mcmc: _given, ...rest } = resolved.spec;
  const { iterations: _iterations, workers: _workers, ...chainSettings } = resolved.mcmc;
  return sha(canonical({ ...rest, mcmc: chainSettings }));
}

/** The input files of a resolved spec. */
function inputFiles(resolved: ResolvedSpec): string[] {
  const at = (f: string): string => (isAbsolute(f) ? f : resolve(resolved.baseDir, f));
  const files: string[] = [];
  if (typeof resolved.spec.data === 'string') files.push(at(resolved.spec.data));
  const genotypes = (f: string): string[] => (/\.bed$/i.test(f) ? [f, f.replace(/\.bed$/i, '.bim'), f.replace(/\.bed$/i, '.fam')] : [f]);
  for (const m of resolved.markers) files.push(...genotypes(m.file));
  for (const c of Object.values(resolved.covariance)) {
    if ('pedigree' in c) files.push(at(c.pedigree));
    else if ('relationship' in c) files.push(at(c.relationship));
    else files.push(...genotypes(at(c.genomic)));
  }
  return [...new Set(files)];
}

export function fingerprint(resolved: ResolvedSpec): Fingerprint {
  const files: Record<string, string> = {};
  for (const f of inputFiles(resolved)) files[f] = onPath(f, 'read an input of the run', () => sha(readFileSync(f)));
  return { spec: specHash(resolved), files };
}

/**
 * The input files of a resumed run are those it started from (checked before anything is read).
 * @throws MixmcError naming the first changed (or missing) input, or a run.json without a fingerprint.
 */
export function checkInputs(recorded: Fingerprint | undefined, dir: string): asserts recorded is Fingerprint {
  if (!recorded) throw new MixmcError('run.json has no fingerprint of its inputs (an older mixmc wrote it); start the run again with --force', { file: dir });
  for (const [file, hash] of Object.entries(recorded.files)) {
    if (!existsSync(file)) throw new MixmcError('an input of the run is missing; put it back, or start the run again with --force', { file });
    const now = onPath(file, 'read an input of the run', () => sha(readFileSync(file)));
    if (now !== hash)
      throw new MixmcError('this input changed since the run started; resuming would mix two analyses: start the run again with --force', { file });
  }
}

/**
 * The spec of a resumed run is the one it started with.
 * @throws MixmcError naming run.json when it was edited.
 */
export function checkSpec(recorded: Fingerprint, resolved: ResolvedSpec, dir: string): void {
  if (specHash(resolved) !== recorded.spec) {
    throw new MixmcError('the spec in run.json was changed since the run started; start the run again with --force', { file: join(dir, 'run.json') });
  }
}
