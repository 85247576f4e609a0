/** The interface of the marker sweep kernels (kernel.ts loads them; sweep.as.ts and sweepJs.ts implement them). */

/** The sweeps; pointers are byte offsets in the arena's memory. */
export interface SweepKernel {
  /** e^x as the sweeps compute it: Math.exp's bits in both kernels (the wasm kernel has its own copy of the algorithm). */
  exp(x: number): number;
  /** ln x as the sweeps compute it: Math.log's bits in both kernels. */
  log(x: number): number;
  normalSweep(desc: number, e: number, beta: number, prior: number, common: number, ridge: number, varE: number, z: number): void;
  mixtureSweep(
    desc: number,
    e: number,
    beta: number,
    b: number,
    delta: number,
    priorVar: number,
    common: number,
    varE: number,
    pi: number,
    z: number,
    u: number,
  ): void;
  bayesRSweep(
    desc: number,
    e: number,
    beta: number,
    cls: number,
    delta: number,
    pi: number,
    gammas: number,
    K: number,
    varG: number,
    vbar: number,
    varE: number,
    work: number,
    z: number,
    u: number,
  ): void;
  /** Multi-trait BRR (wasm/sweep.as.ts): t residual columns `pitch` bytes apart, their states in st (4 f64 each). */
  mvNormalSweep(desc: number, e: number, pitch: number, t: number, st: number, beta: number, w: number, ginv: number, z: number, work: number): void;
  /** Multi-trait BayesC (wasm/sweep.as.ts). */
  mvMixtureSweep(
    desc: number,
    e: number,
    pitch: number,
    t: number,
    st: number,
    b: number,
    alpha: number,
    delta: number,
    ri: number,
    gi: number,
    logPi: number,
    z: number,
    u: number,
    work: number,
  ): void;
}
