/**
 * BayesR (Erbe et al. 2012, J. Dairy Sci. 95:4114; Moser et al. 2015, PLoS Genet. 11:e1004969):
 * β_j ~ Σ_k π_k N(0, γ_k σ²g / v̄), a mixture of a point mass (γ_1 = 0) and normals with variances
 * {1e-4, 1e-3, 1e-2}·σ²g by default, where v̄ = MSx/p is the average column variance, so that a marker
 * of class k explains about γ_k of σ²g. π ~ Dirichlet(α), σ²g ~ Scaled-Inv-χ²(ν, s²).
 *
 * Full conditionals:
 *   class_j | rest ∝ π_k · N(r_j; 0, ·) with β_j integrated out: for γ_k > 0, with
 *     σ²_k = γ_k σ²g/v̄ and c_k = x_j'x_j + σ²e/σ²_k,
 *     log w_k = log π_k − ½ log(c_k σ²_k/σ²e) + r_j²/(2σ²e c_k);  log w_1 = log π_1
 *   β_j | class_j = k ~ N(r_j/c_k, σ²e/c_k) (0 in the null class)
 *   σ²g | β ~ Scaled-Inv-χ²(ν + m, (ν s² + Σ_{j in} β_j² v̄/γ_{class_j})/(ν + m)), m markers in
 *   π | classes ~ Dirichlet(α + counts)
 * The class draw needs every class's weight, so BayesR has its own sweep kernel (bayesRSweep).
 */
import { MixmcError } from '../../errors.js';
import { BAYESR_CLASSES, BAYESR_DIRICHLET, genomicVariancePrior } from '../../model/defaults.js';
import type { MarkerDesign } from '../../model/markers.js';
import type { MarkerSetNames } from '../../model/names.js';
import type { ChainState } from '../../mcmc/state.js';
import { chiSquare, dirichlet, normal, scaledInvChiSquare } from '../../rng/dist.js';
import type { RandomSource } from '../../rng/rng.js';
import type { BayesRSpec } from '../../types.js';
import { type ChainMemory, chainArray, MarkerBlockBase, type MarkerPriorModule } from './base.js';

export interface BayesRHyper {
  df: number;
  scale: number;
  fixed?: number;
  classes: number[];
  dirichlet: number[];
}

interface BayesRState {
  readonly beta: Float64Array;
  readonly cls: Float64Array;
  readonly delta: Float64Array;
  readonly varG: Float64Array;
  readonly pi: Float64Array;
  readonly [array: string]: Float64Array;
}

class BayesRBlock extends MarkerBlockBase<BayesRState> {
  private readonly gammas: Float64Array;
  private readonly alpha: Float64Array;
  private readonly df: number;
  private readonly scale: number;
  private readonly fixed: number | undefined;
  private readonly vbar: number;
  /** The sweep's scratch: σ²e/σ²_k, q_k, the weights and σ²_k/σ²e of the K classes. */
  private readonly work: Float64Array;
  private readonly counts: Float64Array;
  private readonly post: Float64Array;

  constructor(md: MarkerDesign, hyper: BayesRHyper, names: MarkerSetNames, mem: ChainMemory) {
    const p = md.p;
    const K = hyper.classes.length;
    const delta = chainArray(mem, p);
    const state = { beta: chainArray(mem, p), cls: chainArray(mem, p), delta, varG: chainArray(mem, 1), pi: chainArray(mem, K) };
    super(md, names, bayesR.params(hyper, names), state, mem, delta);
    this.gammas = chainArray(mem, K);
    this.gammas.set(hyper.classes);
    this.alpha = Float64Array.from(hyper.dirichlet);
    this.df = hyper.df;
    this.scale = hyper.scale;
    this.fixed = hyper.fixed;
    this.vbar = md.msx / p;
    this.work = chainArray(mem, 4 * K);
    this.counts = new Float64Array(K);
    this.post = new Float64Array(K);
  }

  /** All markers in the null class; π at the prior mean of the Dirichlet; σ²g at its scale. */
  init(): void {
    const { varG, pi } = this.state;
    varG[0] = this.fixed ?? this.scale;
    let a = 0;
    for (const v of this.alpha) a += v;
    for (let k = 0; k < pi.length; k++) pi[k] = this.alpha[k] / a;
  }

  /** Mutates: β, cls, delta, varG, π, e. */
  update(state: ChainState, rng: RandomSource): void {
    const p = this.md.p;
    const { beta, cls, delta, varG, pi } = this.state;
    const K = this.gammas.length;
    rng.uniforms(this.u);
    rng.normals(this.z);
    const at = (a: Float64Array): number => a.byteOffset;
    this.kernel.bayesRSweep(
      this.md.desc,
      at(state.e),
      at(beta),
      at(cls),
      at(delta),
      at(pi),
      at(this.gammas),
      K,
      varG[0],
      this.vbar,
      state.varE[0],
      at(this.work),
      at(this.z),
      at(this.u),
    );
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

  protected recordOwn(row: Float64Array, offset: number): void {
    const { varG, pi } = this.state;
    row[offset] = varG[0];
    for (let k = 0; k < pi.length; k++) row[offset + 1 + k] = pi[k];
  }
}

export const bayesR: MarkerPriorModule<BayesRSpec, BayesRHyper> = {
  resolve(ctx) {
    const classes = ctx.spec.classes ?? [...BAYESR_CLASSES];
    const dir = ctx.spec.dirichlet ?? classes.map(() => BAYESR_DIRICHLET);
    if (classes.length < 2 || dir.length !== classes.length || classes.some((g) => !(g >= 0)) || dir.some((a) => !(a > 0))) {
      throw new MixmcError('BayesR needs "classes" (variance multiples ≥ 0) and "dirichlet" (counts > 0) of the same length', { term: ctx.names.term });
    }
    const report = genomicVariancePrior(ctx.names.term, ctx.userPrior, ctx.varY, ctx.r2);
    const rules = report.rule ? [`${ctx.names.variance} (σ²g): ${report.rule}`] : [];
    if (!ctx.spec.classes) rules.push(`classes: [${BAYESR_CLASSES.join(', ')}]·σ²g (Erbe et al. 2012)`);
    if (!ctx.spec.dirichlet) rules.push(`π ~ Dirichlet(${BAYESR_DIRICHLET}, …, ${BAYESR_DIRICHLET})`);
    return { hyper: { df: report.df, scale: report.scale, fixed: ctx.fixedVariance, classes, dirichlet: dir }, report, rules };
  },
  params: (hyper, names) => ({ own: [names.variance, ...hyper.classes.map((g) => names.classPi(g))], mixture: true }),
  create: (md, hyper, names, mem) => new BayesRBlock(md, hyper, names, mem),
  /** σ²g and π from their priors, class_j ~ Categorical(π), then β_j ~ N(0, γ_class σ²g/v̄) (0 in a null class). */
  simulate(md, hyper, names, _varE, rng) {
    const varG = hyper.fixed ?? scaledInvChiSquare(rng, hyper.df, hyper.scale);
    const pi = new Float64Array(hyper.classes.length);
    dirichlet(rng, hyper.dirichlet, pi);
    const vbar = md.msx / md.p;
    let markersIn = 0;
    const beta = new Float64Array(md.p);
    for (let j = 0; j < md.p; j++) {
      let k = 0;
      let u = rng.uniform();
      while (k < pi.length - 1 && u >= pi[k]) u -= pi[k++];
      const g = hyper.classes[k];
      if (g > 0) {
        beta[j] = Math.sqrt((g * varG) / vbar) * normal(rng);
        markersIn++;
      }
    }
    const truth: Record<string, number> = { [names.markersIn]: markersIn };
    if (hyper.fixed === undefined) truth[names.variance] = varG;
    hyper.classes.forEach((g, k) => {
      truth[names.classPi(g)] = pi[k];
    });
    return { beta, truth };
  },
};
