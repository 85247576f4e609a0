/**
 * From a run spec to a model ready to sample: the spec validated, the data, genotypes and covariances
 * read, the design built, every prior resolved (BGLR's rule where the spec is silent), each marker
 * set's prior planned, and the layout of a chain. Everything a user can get wrong fails here, before
 * any chain starts.
 */
import { columnIndex, isMissing } from '../io/csv.js';
import { readGenotypes, type GenotypeTable } from '../io/genotypes.js';
import { type Arena, createArena } from '../linalg/arena.js';
import { type KernelName, resolveKernel } from '../linalg/kernel.js';
import { MixmcError } from '../errors.js';
import { resolveCovariance, type Covariance } from '../model/covariance.js';
import { r2Share, resolvePriors } from '../model/defaults.js';
import { buildDesign, isMultivariate, type Design } from '../model/design.js';
import { resolveCovariancePriors, scalarVariances } from '../model/matrixPriors.js';
import { buildMarkerDesign, type MarkerDesign } from '../model/markers.js';
import { markerSetNames, markerTerm } from '../model/names.js';
import { resolveSpec, type ResolvedSpec } from '../model/spec.js';
import type { MarkerSetReport, MarkerSpec, MatrixPriorReport, McmcConfig, PriorReport, RunSpec, RunWarning } from '../types.js';
import { planMultiMarkers } from './multi/markers.js';
import { planMarkerSet, type MarkerPlan } from './registry.js';
import { chainLayout, type ChainLayout, type SamplerSettings } from './sampler.js';

/** Options of {@link prepare}: where relative paths start, and chain settings that override the spec's `mcmc`. */
export interface PrepareOptions extends McmcConfig {
  /** Folder that relative paths in the spec are resolved against (default: the working directory). */
  baseDir?: string;
  /** The config file the spec came from, named in errors about the spec. */
  specFile?: string;
}

/** A model ready to sample: the resolved spec, the design, every prior, the sampler settings and a chain's layout. */
export interface PreparedModel {
  resolved: ResolvedSpec;
  design: Design;
  /** Every variance prior, with its rule: random terms, marker sets, residual (single-trait models). */
  priors: PriorReport[];
  /** The covariance-matrix priors of a multivariate model, with their rules. */
  covariancePriors?: MatrixPriorReport[];
  markerSets: MarkerSetReport[];
  settings: SamplerSettings;
  layout: ChainLayout;
  /** Per marker set: keep every saveEvery[s]-th kept draw of its effects (0: none). */
  saveEvery: number[];
}

/**
 * Validate a spec, read its inputs and build the model (the part of `fit` that can fail on user input).
 * @example
 * const model = prepare({ data: 'pheno.csv', formula: 'y ~ 1 + (1|sire)' });
 * // model.design.n records, model.priors every variance prior with its rule
 */
export function prepare(spec: RunSpec, options: PrepareOptions = {}): PreparedModel {
  const { baseDir, specFile, chains, iterations, burnin, thin, seed, workers, traceLevels } = options;
  const resolved = resolveSpec(spec, baseDir, { chains, iterations, burnin, thin, seed, workers, traceLevels }, specFile);
  const sets = resolved.markers;
  const genotypes = sets.map((m) => readGenotypes(m.file));
  let design = buildDesign(resolved.table, resolved.formula, {
    factors: resolved.spec.factors,
    id: resolved.spec.id,
    covariance: resolveCovariances(resolved),
    families: resolved.families,
    requireIds:
      genotypes.length > 0
        ? requireGenotyped(
            genotypes,
            sets.some((m) => m.dropUngenotyped === true),
          )
        : undefined,
  });
  const nTerms = design.random.length + sets.length;
  const warnings: RunWarning[] = [...design.warnings];
  const arena: Arena | undefined = sets.length > 0 ? createArena() : undefined;
  const mds = sets.map((spec, s) => markerDesign(spec, genotypes[s], design, arena!, sets.length, warnings));
  if (isMultivariate(design)) return prepareMultivariate(resolved, { ...design, markers: mds, arena, warnings }, nTerms);
  const scalar = scalarVariances(resolved.priors, resolved.fixedVariances);
  const threshold = design.traits.families[0].kind === 'threshold';
  if (threshold) scalar.fixed.residual = liabilityResidual(resolved);
  const random = resolvePriors(
    design.varY,
    design.random.map((r) => ({ term: r.term, msx: r.msx })),
    scalar.priors,
    nTerms,
  );
  const residual = random.pop()!;
  const plans: MarkerPlan[] = [];
  const markerPriors: PriorReport[] = [];
  const markerSets: MarkerSetReport[] = [];
  sets.forEach((spec, s) => {
    const md = mds[s];
    const names = markerSetNames(md.name);
    const ctx = { spec, md, names, varY: design.varY, r2: r2Share(nTerms), userPrior: scalar.priors[md.term], fixedVariance: scalar.fixed[md.term] };
    const { plan, report, rules } = planMarkerSet(spec.prior, ctx);
    plans.push(plan);
    markerPriors.push(report);
    markerSets.push({ term: md.term, prior: spec.prior, hyper: plan.hyper, rules });
  });
  design = { ...design, markers: mds, arena, warnings };
  const priors = [...random, ...markerPriors, ...(threshold ? [] : [residual])];
  const variancePriors = Object.fromEntries([...random, residual].map((p) => [p.term, { df: p.df, scale: p.scale }]));
  const settings: SamplerSettings = {
    priors: variancePriors,
    fixedVariances: scalar.fixed,
    traceLevels: resolved.mcmc.traceLevels,
    markers: plans,
    kernel: kernelOf(resolved.spec.kernel),
    thresholds: { method: resolved.spec.thresholds ?? 'cowles', adaptUntil: resolved.mcmc.burnin },
  };
  return { resolved, design, priors, markerSets, settings, layout: chainLayout(design, settings), saveEvery: sets.map((m) => m.saveEffects ?? 0) };
}

/**
 * The residual variance of a binary or ordinal trait: 1, the liability's scale (the thresholds and
 * effects are identified in units of the residual SD).
 * @throws MixmcError when the spec gives the residual a prior or another value.
 */
function liabilityResidual(resolved: ResolvedSpec): number {
  const given = resolved.fixedVariances.residual !== undefined ? 'fixedVariances' : resolved.priors.residual !== undefined ? 'priors' : undefined;
  if (given) {
    throw new MixmcError(
      `the residual variance of a ${resolved.families[resolved.formula.responses[0]].family} trait is fixed at 1 (the liability's scale); remove "residual" from "${given}"`,
      { term: `${given}.residual` },
    );
  }
  return 1;
}

/**
 * A multivariate model (several traits, or random terms with slopes): covariance-matrix priors for
 * every random term and the residual, and the multivariate sampler. One trait may be binary, ordinal
 * or censored; a binary or ordinal trait's residual variance is fixed at 1.
 * @throws MixmcError for a second non-Gaussian trait, or a fixed residual covariance with a binary or ordinal trait.
 */
function prepareMultivariate(resolved: ResolvedSpec, design: Design, nTerms: number): PreparedModel {
  const latent = design.traits.families.flatMap((f, s) => (f.kind === 'gaussian' ? [] : [s]));
  if (latent.length > 1) {
    const names = latent.map((s) => `'${design.traits.names[s]}'`).join(' and ');
    throw new MixmcError(`${names} are both non-Gaussian: a multi-trait model takes one binary, ordinal or censored trait beside Gaussian ones`, {
      term: 'family',
    });
  }
  const unitResidual = latent.length === 1 && design.traits.families[latent[0]].kind === 'threshold' ? latent[0] : undefined;
  if (unitResidual !== undefined && resolved.fixedVariances.residual !== undefined) {
    const name = design.traits.names[unitResidual];
    throw new MixmcError(
      `the residual covariance cannot be fixed with the ${resolved.families[name].family} trait '${name}', whose liability's variance is fixed at 1; remove "residual" from "fixedVariances"`,
      {
        term: 'fixedVariances.residual',
      },
    );
  }
  const { terms, residual, reports } = resolveCovariancePriors(design, resolved.priors, resolved.fixedVariances, nTerms);
  const markerSets: MarkerSetReport[] = [];
  const markers = design.markers.map((md, s) => {
    const spec = resolved.markers[s];
    const { plan, report, rules } = planMultiMarkers(
      spec,
      md,
      design.traits.names,
      design.traits.varY,
      r2Share(nTerms),
      resolved.priors[md.term],
      resolved.fixedVariances[md.term],
    );
    reports.splice(reports.length - 1, 0, report);
    markerSets.push({
      term: md.term,
      prior: spec.prior,
      hyper: { covariance: report.scale, df: report.df, ...(plan.pi ? { pi: plan.pi.start, estimatePi: plan.pi.estimate } : {}) },
      rules,
    });
    return plan;
  });
  const settings: SamplerSettings = {
    priors: {},
    fixedVariances: {},
    traceLevels: resolved.mcmc.traceLevels,
    markers: [],
    kernel: kernelOf(resolved.spec.kernel),
    multi: { terms, residual, markers, ...(unitResidual !== undefined ? { unitResidual } : {}) },
    thresholds: { method: resolved.spec.thresholds ?? 'cowles', adaptUntil: resolved.mcmc.burnin },
  };
  return {
    resolved,
    design,
    priors: [],
    covariancePriors: reports,
    markerSets,
    settings,
    layout: chainLayout(design, settings),
    saveEvery: resolved.markers.map((m) => m.saveEffects ?? 0),
  };
}

/** A marker set's design (records aligned to the genotypes), with its warnings. Mutates: warnings. */
function markerDesign(spec: MarkerSpec, genotypes: GenotypeTable, design: Design, arena: Arena, sets: number, warnings: RunWarning[]): MarkerDesign {
  const name = spec.name ?? '';
  const term = markerTerm(name);
  const md = buildMarkerDesign(genotypes, design.ids, arena, { center: spec.center, name });
  const where = sets > 1 ? ` (${term})` : '';
  if (md.imputed > 0) warnings.push({ subject: term, severity: 1, message: `${md.imputed} missing genotype(s) imputed with the column mean${where}` });
  if (md.monomorphic > 0) warnings.push({ subject: term, severity: 1, message: `${md.monomorphic} monomorphic marker(s) dropped${where}` });
  return md;
}

/** The marker kernel: MIXMC_KERNEL (auto, wasm or js) if set, else the spec's `kernel`, else auto. */
function kernelOf(spec: RunSpec['kernel']): KernelName {
  const env = process.env.MIXMC_KERNEL;
  if (env !== undefined && env !== '' && !['auto', 'wasm', 'js'].includes(env)) {
    throw new MixmcError(`MIXMC_KERNEL must be auto, wasm or js (got '${env}')`, { term: 'MIXMC_KERNEL' });
  }
  const requested = (env || spec || 'auto') as 'auto' | KernelName;
  try {
    return resolveKernel(requested);
  } catch (err) {
    throw new MixmcError((err as Error).message, { term: 'kernel' });
  }
}

/** Records must have a genotype in every set: their ids are those every genotype file has. */
function requireGenotyped(
  genotypes: readonly GenotypeTable[],
  dropOthers: boolean,
): { ids: ReadonlySet<string>; dropOthers: boolean; what: string; file: string } {
  let ids = new Set(genotypes[0].ids);
  for (const g of genotypes.slice(1)) {
    const other = new Set(g.ids);
    ids = new Set([...ids].filter((id) => other.has(id)));
  }
  return { ids, dropOthers, what: 'genotype', file: genotypes.map((g) => g.file).join(' and ') };
}

/** Every random term's covariance structure, from the spec and the record labels of its column. */
function resolveCovariances(resolved: ResolvedSpec): Record<string, Covariance> {
  const out: Record<string, Covariance> = {};
  for (const [term, spec] of Object.entries(resolved.covariance)) {
    const c = columnIndex(resolved.table, term);
    const labels = resolved.table.rows.map((r) => r[c]).filter((v) => !isMissing(v));
    out[term] = resolveCovariance(term, spec, resolved.baseDir, labels);
  }
  return out;
}
