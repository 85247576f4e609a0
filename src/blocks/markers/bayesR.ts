/**
 * BayesR (Erbe et al. 2012; Moser et al. 2015): β_j ~ Σ_k π_k N(0, γ_k σ²g / v̄), a mixture of a
 * point mass (γ_1 = 0) and normals with variances {1e-4, 1e-3, 1e-2}·σ²g by default, where
 * v̄ = MSx/p is the average column variance, so that a marker of class k explains about γ_k of σ²g.
 * π ~ Dirichlet(α), σ²g ~ Scaled-Inv-χ²(ν, s²).
 *
 * Full conditionals:
 *   class_j | rest ∝ π_k · N(r_j; 0, ·) with β_j integrated out: for γ_k > 0, with
 *     σ²_k = γ_k σ²g/v̄ and c_k = x_j'x_j + σ²e/σ²_k,
 *     log w_k = log π_k − ½ log(c_k σ²_k/σ²e) + r_j²/(2σ²e c_k);  log w_1 = log π_1
 *   β_j | class_j = k ~ N(r_j/c_k, σ²e/c_k) (0 in the null class)
 *   σ²g | β ~ Scaled-Inv-χ²(ν + m, (ν s² + Σ_{j in} β_j² v̄/γ_{class_j})/(ν + m)), m markers in
 *   π | classes ~ Dirichlet(α + counts)
 */
import { DEFAULT_DF } from '../../model/defaults.js';
import { chiSquare, dirichlet, normal } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';
import type { ChainState, MarkerState } from '../../mcmc/state.js';
import { MixmcError } from '../../errors.js';
import { MarkerBlockBase, scalar, type MarkerContext, type MarkerHyper, type MarkerPriorModule } from './kernel.js';

const DEFAULT_CLASSES = [0, 1e-4, 1e-3, 1e-2];

class BayesRBlock extends MarkerBlockBase {
  private readonly gammas: Float64Array;
  private readonly alpha: Float64Array;
  private readonly df: number;
  private readonly scale: number;
  private readonly fixed: number | undefined;
  private readonly vbar: number;
  private readonly logW: Float64Array;
  private readonly counts: Float64Array;
  private readonly post: Float64Array;

  constructor(ctx: MarkerContext, hyper: MarkerHyper) {
    const gammas = hyper.values.classes as number[];
    super(ctx.design, ['var[markers]', ...gammas.map((g) => `pi[${g}]`)], true);
    this.gammas = Float64Array.from(gammas);
    this.alpha = Float64Array.from(hyper.values.dirichlet as number[]);
    this.df = hyper.report.df;
    this.scale = hyper.report.scale;
    this.fixed = ctx.fixedVariance;
    this.vbar = ctx.md.msx / ctx.md.p;
    this.logW = new Float64Array(gammas.length);
    this.counts = new Float64Array(gammas.length);
    this.post = new Float64Array(gammas.length);
  }

  allocate(): MarkerState {
    const p = this.md.p;
    return { beta: new Float64Array(p), extra: { cls: new Float64Array(p), delta: new Float64Array(p), varG: scalar(), pi: new Float64Array(this.gammas.length) } };
  }

  /** All markers in the null class; π at the prior mean of the Dirichlet; σ²g at its scale. */
  init(state: ChainState): void {
    const { varG, pi } = state.markers!.extra;
    varG[0] = this.fixed ?? this.scale;
    let a = 0;
    for (const v of this.alpha) a += v;
    for (let k = 0; k < pi.length; k++) pi[k] = this.alpha[k] / a;
  }

  /** Mutates: β, cls, delta, varG, π, e. */
  update(state: ChainState, rng: UniformSource): void {
    const { x, xx, n, p } = this.md;
    const e = state.e;
    const { beta, extra } = state.markers!;
    const { cls, delta, varG, pi } = extra;
    const varE = state.varE[0];
    const K = this.gammas.length;
    const logW = this.logW;
    for (let j = 0; j < p; j++) {
      const off = j * n;
      const r = this.updates.dot(x, off, e, n) + xx[j] * beta[j];
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        const g = this.gammas[k];
        if (g === 0) {
          logW[k] = Math.log(pi[k]);
        } else {
          const vk = (g * varG[0]) / this.vbar;
          const c = xx[j] + varE / vk;
          logW[k] = Math.log(pi[k]) - 0.5 * Math.log((c * vk) / varE) + (r * r) / (2 * varE * c);
        }
        if (logW[k] > max) max = logW[k];
      }
      let total = 0;
      for (let k = 0; k < K; k++) total += Math.exp(logW[k] - max);
      let u = rng.uniform() * total;
      let k = 0;
      for (; k < K - 1; k++) {
        u -= Math.exp(logW[k] - max);
        if (u <= 0) break;
      }
      const old = beta[j];
      const g = this.gammas[k];
      if (g === 0) {
        beta[j] = 0;
        delta[j] = 0;
      } else {
        const vk = (g * varG[0]) / this.vbar;
        const c = xx[j] + varE / vk;
        beta[j] = r / c + Math.sqrt(varE / c) * normal(rng);
        delta[j] = 1;
      }
      cls[j] = k;
      this.updates.add(off, old - beta[j], x, e, n);
    }
    this.updates.flush(x, e, n);
    const counts = this.counts;
    counts.fill(0);
    let ss = 0;
    let m = 0;
    for (let j = 0; j < p; j++) {
      const k = cls[j];
      counts[k]++;
      const g = this.gammas[k];
      if (g > 0) {
        ss += (beta[j] * beta[j] * this.vbar) / g;
        m++;
      }
    }
    if (this.fixed === undefined) varG[0] = (this.df * this.scale + ss) / chiSquare(rng, this.df + m);
    for (let k = 0; k < K; k++) this.post[k] = this.alpha[k] + counts[k];
    dirichlet(rng, this.post, pi);
  }

  protected indicators(state: ChainState): Float64Array {
    return state.markers!.extra.delta;
  }

  protected recordOwn(state: ChainState, row: Float64Array, offset: number): void {
    const { varG, pi } = state.markers!.extra;
    row[offset] = varG[0];
    for (let k = 0; k < pi.length; k++) row[offset + 1 + k] = pi[k];
  }
}

export const bayesR: MarkerPriorModule = {
  hyper(ctx) {
    const classes = ctx.spec.classes ?? DEFAULT_CLASSES;
    const dir = ctx.spec.dirichlet ?? classes.map(() => 1);
    if (classes.length < 2 || dir.length !== classes.length || classes.some((g) => !(g >= 0)) || dir.some((a) => !(a > 0))) {
      throw new MixmcError('BayesR needs "classes" (variance multiples ≥ 0) and "dirichlet" (counts > 0) of the same length', { term: 'markers' });
    }
    const user = ctx.userPrior;
    const mode = ctx.varY * ctx.r2;
    const rule = `df = ${DEFAULT_DF}; prior mode of σ²g = var(y)·R² = ${Number(ctx.varY.toPrecision(6))}·${Number(ctx.r2.toPrecision(6))} = ${Number(mode.toPrecision(6))}; scale = mode·(df+2)/df`;
    const report = user
      ? { term: 'markers', df: user.df, scale: user.scale, source: 'user' as const }
      : { term: 'markers', df: DEFAULT_DF, scale: (mode * (DEFAULT_DF + 2)) / DEFAULT_DF, source: 'default' as const, rule };
    const rules = [...(report.rule ? [`var[markers] (σ²g): ${report.rule}`] : [])];
    if (!ctx.spec.classes) rules.push('classes: [0, 1e-4, 1e-3, 1e-2]·σ²g (Erbe et al. 2012)');
    if (!ctx.spec.dirichlet) rules.push('π ~ Dirichlet(1, …, 1)');
    return { prior: 'BayesR', values: { df: report.df, scale: report.scale, classes, dirichlet: dir }, rules, report };
  },
  create: (ctx, hyper) => new BayesRBlock(ctx, hyper),
};
