/**
 * One-step conditional checks with a replay RNG: each block's update is run once with a recording
 * RNG, then the same uniforms are replayed through the distribution functions to recover the
 * standard variates it used, and the draw is recomputed by hand from the block's full conditional
 * (formulas in each block's doc comment). They must agree to rounding.
 */
import { describe, expect, it } from 'vitest';
import { FixedBlock } from '../../src/blocks/fixed.js';
import { RandomIidBlock } from '../../src/blocks/random.js';
import { RandomVarianceBlock, ResidualVarianceBlock } from '../../src/blocks/variance.js';
import { buildDesign } from '../../src/model/design.js';
import { parseFormula } from '../../src/model/formula.js';
import { rowsToTable } from '../../src/model/spec.js';
import { createState } from '../../src/mcmc/state.js';
import { chainRng } from '../../src/rng/rng.js';
import { chiSquare, normal } from '../../src/rng/dist.js';
import { invertSPD, choleskyInPlace } from '../../src/linalg/dense.js';
import { RecordingRng, ReplayRng } from '../helpers/rng.js';
import { maxRelDiff, recomputeResidual } from '../helpers/residual.js';

function smallModel() {
  const rows = [];
  const src = chainRng(99, 0);
  for (let i = 0; i < 40; i++) {
    rows.push({ y: 10 + 3 * normal(src), x: normal(src), f: ['a', 'b', 'c'][i % 3], g: `g${i % 7}` });
  }
  const design = buildDesign(rowsToTable(rows), parseFormula('y ~ 1 + x + f + (1|g)'));
  const state = createState(design);
  // an arbitrary, consistent state
  state.b.set([9, 0.5, -1, 2]);
  state.u[0].set([0.3, -0.2, 0.1, 0, 0.5, -0.4, 0.2]);
  state.varU[0] = 1.7;
  state.varE[0] = 4.2;
  state.e.set(recomputeResidual(design, state));
  return { design, state };
}

describe('replay-RNG one-step checks', () => {
  it("fixed effects: b = C⁻¹X'(y − Zu) + σe·L⁻ᵀz", () => {
    const { design, state } = smallModel();
    const p = design.fixed.p;
    const yAdj = Float64Array.from(design.y, (y, i) => y - state.u[0][design.random[0].level[i]]);
    const rec = new RecordingRng(chainRng(1, 0));
    new FixedBlock(design).update(state, rec);
    const replay = new ReplayRng(rec.drawn);
    const z = Array.from({ length: p }, () => normal(replay));
    expect(replay.used).toBe(rec.drawn.length);
    // dense by hand
    const X: number[][] = Array.from({ length: design.n }, () => new Array(p).fill(0));
    for (let j = 0; j < p; j++) for (let k = design.fixed.colPtr[j]; k < design.fixed.colPtr[j + 1]; k++) X[design.fixed.rowIdx[k]][j] = design.fixed.vals[k];
    const C = new Float64Array(p * p);
    const xty = new Float64Array(p);
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) for (let i = 0; i < design.n; i++) C[a * p + b] += X[i][a] * X[i][b];
      for (let i = 0; i < design.n; i++) xty[a] += X[i][a] * yAdj[i];
    }
    const Cinv = invertSPD(C, p);
    const L = Float64Array.from(C);
    choleskyInPlace(L, p);
    // w = L⁻ᵀ z by back substitution
    const w = new Float64Array(z);
    for (let i = p - 1; i >= 0; i--) {
      let s = w[i];
      for (let k = i + 1; k < p; k++) s -= L[k * p + i] * w[k];
      w[i] = s / L[i * p + i];
    }
    const sdE = Math.sqrt(state.varE[0]);
    const expected = Float64Array.from({ length: p }, (_, a) => Cinv.slice(a * p, a * p + p).reduce((s, c, b) => s + c * xty[b], 0) + sdE * w[a]);
    expect(maxRelDiff(state.b, expected)).toBeLessThan(1e-12);
    expect(maxRelDiff(state.e, recomputeResidual(design, state))).toBeLessThan(1e-12);
  });

  it('random iid term: u_j = r_j/(n_j + λ) + sqrt(σ²e/(n_j + λ))·z_j', () => {
    const { design, state } = smallModel();
    const term = design.random[0];
    const yAdj = recomputeResidual(design, state).map((e, i) => e + state.u[0][term.level[i]]);
    const rec = new RecordingRng(chainRng(2, 0));
    new RandomIidBlock(design, 0, true).update(state, rec);
    const replay = new ReplayRng(rec.drawn);
    const lambda = state.varE[0] / state.varU[0];
    const expected = Float64Array.from({ length: term.q }, (_, j) => {
      let r = 0;
      let n = 0;
      for (let i = 0; i < design.n; i++) {
        if (term.level[i] === j) {
          r += yAdj[i];
          n++;
        }
      }
      return r / (n + lambda) + Math.sqrt(state.varE[0] / (n + lambda)) * normal(replay);
    });
    expect(replay.used).toBe(rec.drawn.length);
    expect(maxRelDiff(state.u[0], expected)).toBeLessThan(1e-12);
    expect(maxRelDiff(state.e, recomputeResidual(design, state))).toBeLessThan(1e-12);
  });

  it("random-term variance: σ²u = (ν s² + u'u)/χ²(ν + q)", () => {
    const { design, state } = smallModel();
    const prior = { df: 4, scale: 1.3 };
    const uu = state.u[0].reduce((s, v) => s + v * v, 0);
    const eBefore = Float64Array.from(state.e);
    const rec = new RecordingRng(chainRng(3, 0));
    new RandomVarianceBlock(design, 0, prior).update(state, rec);
    const replay = new ReplayRng(rec.drawn);
    const expected = (prior.df * prior.scale + uu) / chiSquare(replay, prior.df + 7);
    expect(replay.used).toBe(rec.drawn.length);
    expect(state.varU[0]).toBeCloseTo(expected, 12);
    expect(state.e).toEqual(eBefore);
  });

  it("residual variance: σ²e = (ν s² + e'e)/χ²(ν + n)", () => {
    const { design, state } = smallModel();
    const prior = { df: 5, scale: 2.5 };
    const ee = state.e.reduce((s, v) => s + v * v, 0);
    const rec = new RecordingRng(chainRng(4, 0));
    new ResidualVarianceBlock(prior).update(state, rec);
    const replay = new ReplayRng(rec.drawn);
    const expected = (prior.df * prior.scale + ee) / chiSquare(replay, prior.df + design.n);
    expect(replay.used).toBe(rec.drawn.length);
    expect(state.varE[0]).toBeCloseTo(expected, 10);
  });
});
