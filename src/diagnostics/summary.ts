/**
 * The summary table: one row per parameter (DESIGN.md row format), computed from chain × draw arrays
 * by the pure kernels, plus the warnings users need to judge whether the chains can be trusted.
 */
import type { DrawSet, RunWarning, SummaryRow } from '../types.js';
import * as k from './kernels.js';

export interface SummaryOptions {
  /** Mass of the central and HPD intervals (default 0.95). */
  prob?: number;
}

/** Summarise one parameter given as chains. Never throws on degenerate draws (NaN instead). */
export function summarizeChains(variable: string, chains: k.Chains, prob = 0.95): SummaryRow {
  k.checkChains(chains);
  const x = k.pooled(chains);
  let finite = x.length > 0;
  for (let i = 0; i < x.length && finite; i++) finite = Number.isFinite(x[i]);
  if (!finite) {
    return {
      variable,
      mean: x.length ? k.mean(x) : NaN,
      sd: NaN,
      median: NaN,
      lower: NaN,
      upper: NaN,
      hpdLower: NaN,
      hpdUpper: NaN,
      rhat: NaN,
      essBulk: NaN,
      essTail: NaN,
      mcseMean: NaN,
    };
  }
  const scale = extremeScale(x);
  if (scale !== 1) {
    // draws so large (or small) that their squares overflow (or underflow): summarise draws / 2^k,
    // an exact scaling that leaves ranks, R-hat and ESS unchanged, and scale the locations back
    const r = summarizeChains(
      variable,
      chains.map((c) => c.map((v) => v / scale)),
      prob,
    );
    const back = (v: number): number => v * scale;
    return {
      ...r,
      mean: back(r.mean),
      sd: back(r.sd),
      median: back(r.median),
      lower: back(r.lower),
      upper: back(r.upper),
      hpdLower: back(r.hpdLower),
      hpdUpper: back(r.hpdUpper),
      mcseMean: back(r.mcseMean),
    };
  }
  const prepared = k.prepare(chains);
  const s = prepared.sorted;
  const [hpdLower, hpdUpper] = k.hpdSorted(s, prob);
  const sd = k.sd(x);
  return {
    variable,
    mean: k.mean(x),
    sd,
    median: k.quantileSorted(s, 0.5),
    lower: k.quantileSorted(s, (1 - prob) / 2),
    upper: k.quantileSorted(s, 1 - (1 - prob) / 2),
    hpdLower,
    hpdUpper,
    ...k.convergence(chains, prepared, sd),
  };
}

/** Draws beyond these magnitudes are summarised scaled (their squares would overflow or underflow). */
const LARGEST = 2 ** 300;
const SMALLEST = 2 ** -300;

/** A power of two that brings the largest |draw| near 1 when it is beyond LARGEST or below SMALLEST, else 1. */
function extremeScale(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m > LARGEST || (m > 0 && m < SMALLEST) ? 2 ** Math.floor(Math.log2(m)) : 1;
}

/** Summarise every parameter of a draw set. */
export function summarizeDrawSet(draws: DrawSet, opts: SummaryOptions = {}): SummaryRow[] {
  const prob = opts.prob ?? 0.95;
  return draws.names.map((name, j) =>
    summarizeChains(
      name,
      draws.chains.map((c) => c[j]),
      prob,
    ),
  );
}

/** A row for a quantity known only through its running mean and SD (no draws kept). */
export function momentRow(variable: string, mean: number, sd: number): SummaryRow {
  return { variable, mean, sd, median: NaN, lower: NaN, upper: NaN, hpdLower: NaN, hpdUpper: NaN, rhat: NaN, essBulk: NaN, essTail: NaN, mcseMean: NaN };
}

/** Draws per chain below which R-hat and ESS are not computed (posterior returns NA for fewer than 4 split halves' worth). */
const MIN_DRAWS = 4;

/**
 * Convergence warnings, each naming its parameter: R-hat > 1.01, ESS bulk or tail below 100 per
 * chain, a variance (one of `variances`) stuck near 0, constant draws. Severity orders them, worst first.
 */
export function convergenceWarnings(
  rows: readonly SummaryRow[],
  draws: DrawSet,
  heldFixed: ReadonlySet<string> = new Set(),
  variances: ReadonlySet<string> = new Set(),
): RunWarning[] {
  const out: RunWarning[] = [];
  const nChains = draws.chains.length;
  const perChain = nChains > 0 && draws.chains[0].length > 0 ? draws.chains[0][0].length : 0;
  if (perChain > 0 && perChain < MIN_DRAWS) {
    return [
      {
        subject: 'draws',
        severity: 8,
        message: `only ${perChain} draw(s) per chain: R-hat, ESS and MCSE need at least ${MIN_DRAWS}; run more iterations (or thin less)`,
      },
    ];
  }
  rows.forEach((r, j) => {
    const chains = draws.chains.map((c) => c[j]);
    if (chains.length === 0 || chains[0].length === 0 || heldFixed.has(r.variable)) return;
    if (chains.some((c) => c.some((v) => !Number.isFinite(v)))) {
      out.push({ subject: r.variable, severity: 9, message: 'some draws are not finite numbers (NaN or ±Inf): the sampler overflowed; rescale the data' });
      return;
    }
    if (k.isConstant(chains)) {
      out.push({ subject: r.variable, severity: 1, message: 'all draws are the same value' });
      return;
    }
    if (r.rhat > 1.01)
      out.push({
        subject: r.variable,
        severity: 3 + (r.rhat - 1),
        message: `R-hat = ${r.rhat.toFixed(3)} > 1.01: the chains disagree; run longer or check the model`,
      });
    const minEss = Math.min(r.essBulk, r.essTail);
    if (minEss < 100 * nChains) {
      const which = r.essBulk <= r.essTail ? 'bulk' : 'tail';
      out.push({
        subject: r.variable,
        severity: 2 + (100 * nChains - minEss) / (100 * nChains),
        message: `ESS ${which} = ${minEss.toFixed(0)} < ${100 * nChains} (100 per chain): too few effective draws for reliable intervals`,
      });
    }
    if (variances.has(r.variable)) {
      chains.forEach((c, ci) => {
        // a chain whose variance sits below 1e-6 of the pooled median for most of its draws is stuck
        const med = r.median;
        let low = 0;
        for (const v of c) if (v < 1e-6 * Math.abs(med)) low++;
        if (low > 0.5 * c.length)
          out.push({ subject: r.variable, severity: 4, message: `chain ${ci + 1} is stuck near 0 (${low} of ${c.length} draws below 1e-6 × the median)` });
      });
    }
  });
  return out.sort((a, b) => b.severity - a.severity);
}
