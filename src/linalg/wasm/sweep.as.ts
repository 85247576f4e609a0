/**
 * The marker sweeps in WebAssembly SIMD (AssemblyScript; built by build.mjs into binary.ts). The TS
 * twin in ../sweepJs.ts performs the same operations in the same order, so both give the same bits.
 *
 * Genotypes are 2-bit codes (0, 1, 2; 3 = missing), four records per byte, column-major, each column
 * padded with code 0 to a multiple of 16 records. The value of a code is read from a nibble table at
 * address 0: entry k (k = two codes) holds the two values as f64 (missing reads as 0). A marker's
 * column is x_j = g̃_j − c_j, where g̃_j is the code with missing genotypes imputed by the mean μ_j and
 * c_j the centre (Pérez & de los Campos 2014 centre the columns; we keep the codes and centre by
 * algebra). With the residual held as e = ê + off and S = Σ_{i<n} ê_i:
 *   x_j'e = g̃_j'ê − c_j·S + off·(G_j − n·c_j),  G_j = Σ_{i<n} g̃_ij,
 * and e ← e + a·x_j is ê ← ê + a·g̃_j, S ← S + a·G_j, off ← off − a·c_j; off is folded into ê at the
 * end of the sweep. g̃_j'ê is the table dot plus μ_j·Σ_{i missing} ê_i.
 *
 * Accumulation order (fixed, mirrored by sweepJs.ts): four f64x2 accumulators; record r of a block of
 * 16 goes to accumulator ((r >> 1) & 3), lane (r & 1); the result is ((a0 + a1) + (a2 + a3)) summed
 * lane 0 + lane 1.
 *
 * A set descriptor (written by arena.ts) holds, as u32 at byte offsets: 0 geno, 4 stride (bytes per
 * column), 8 nq (blocks of 16 records), 12 p, 16 n, 20 missPtr (i32[p+1]), 24 missIdx (i32),
 * 28 means, 32 center, 36 sums, 40 xx (f64[p] each).
 */

@external('env', 'log')
declare function hostLog(x: f64): f64;
@external('env', 'exp')
declare function hostExp(x: f64): f64;

/** Byte offset in the nibble table of the two codes k of w (entries of 16 bytes). */
@inline
function nib(w: u32, k: i32): usize {
  return <usize>(k == 0 ? (w << 4) & 0xf0 : (w >> (4 * k - 4)) & 0xf0);
}

/** Byte offset in the byte table of byte k of w (entries of 32 bytes). */
@inline
function byt(w: u32, k: i32): usize {
  return <usize>(k == 0 ? (w << 5) & 0x1fe0 : (w >> (8 * k - 5)) & 0x1fe0);
}

/** The nibble table, the base of every scaled table. */
const NIBBLES: usize = 8192;

@inline
function field(desc: usize, offset: usize): usize {
  return <usize>load<u32>(desc + offset);
}

/** Σ_i g_ij ê_i over the padded column (missing read as 0). */
function dot(col: usize, e: usize, nq: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  for (let q = 0; q < nq; q++) {
    const w = load<u32>(col + (<usize>q << 2));
    const ep = e + (<usize>q << 7);
    const b0 = byt(w, 0);
    const b1 = byt(w, 1);
    const b2 = byt(w, 2);
    const b3 = byt(w, 3);
    a0 = f64x2.add(a0, f64x2.mul(v128.load(b0), v128.load(ep)));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(b0, 16), v128.load(ep, 16)));
    a2 = f64x2.add(a2, f64x2.mul(v128.load(b1), v128.load(ep, 32)));
    a3 = f64x2.add(a3, f64x2.mul(v128.load(b1, 16), v128.load(ep, 48)));
    a0 = f64x2.add(a0, f64x2.mul(v128.load(b2), v128.load(ep, 64)));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(b2, 16), v128.load(ep, 80)));
    a2 = f64x2.add(a2, f64x2.mul(v128.load(b3), v128.load(ep, 96)));
    a3 = f64x2.add(a3, f64x2.mul(v128.load(b3, 16), v128.load(ep, 112)));
  }
  const u = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  return f64x2.extract_lane(u, 0) + f64x2.extract_lane(u, 1);
}

/** The nibble table times a, at `scaled` (16 entries of two f64). */
@inline
function scaleTable(scaled: usize, a: f64): void {
  const av = f64x2.splat(a);
  for (let k = 0; k < 16; k++) v128.store(scaled + (<usize>k << 4), f64x2.mul(av, v128.load(NIBBLES + (<usize>k << 4))));
}

/** ê ← ê + a·g_prev, then Σ_i g_col,i ê_i (one pass over ê); `scaled` holds the table times a. */
function fused(prev: usize, col: usize, scaled: usize, e: usize, nq: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  for (let q = 0; q < nq; q++) {
    const wp = load<u32>(prev + (<usize>q << 2));
    const w = load<u32>(col + (<usize>q << 2));
    const ep = e + (<usize>q << 7);
    const b0 = byt(w, 0);
    const b1 = byt(w, 1);
    const b2 = byt(w, 2);
    const b3 = byt(w, 3);
    const e0 = f64x2.add(v128.load(ep), v128.load(scaled + nib(wp, 0)));
    const e1 = f64x2.add(v128.load(ep, 16), v128.load(scaled + nib(wp, 1)));
    const e2 = f64x2.add(v128.load(ep, 32), v128.load(scaled + nib(wp, 2)));
    const e3 = f64x2.add(v128.load(ep, 48), v128.load(scaled + nib(wp, 3)));
    const e4 = f64x2.add(v128.load(ep, 64), v128.load(scaled + nib(wp, 4)));
    const e5 = f64x2.add(v128.load(ep, 80), v128.load(scaled + nib(wp, 5)));
    const e6 = f64x2.add(v128.load(ep, 96), v128.load(scaled + nib(wp, 6)));
    const e7 = f64x2.add(v128.load(ep, 112), v128.load(scaled + nib(wp, 7)));
    v128.store(ep, e0);
    v128.store(ep, e1, 16);
    v128.store(ep, e2, 32);
    v128.store(ep, e3, 48);
    v128.store(ep, e4, 64);
    v128.store(ep, e5, 80);
    v128.store(ep, e6, 96);
    v128.store(ep, e7, 112);
    a0 = f64x2.add(a0, f64x2.mul(v128.load(b0), e0));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(b0, 16), e1));
    a2 = f64x2.add(a2, f64x2.mul(v128.load(b1), e2));
    a3 = f64x2.add(a3, f64x2.mul(v128.load(b1, 16), e3));
    a0 = f64x2.add(a0, f64x2.mul(v128.load(b2), e4));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(b2, 16), e5));
    a2 = f64x2.add(a2, f64x2.mul(v128.load(b3), e6));
    a3 = f64x2.add(a3, f64x2.mul(v128.load(b3, 16), e7));
  }
  const u = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  return f64x2.extract_lane(u, 0) + f64x2.extract_lane(u, 1);
}

/** ê ← ê + a·g_prev over the padded column; `scaled` holds the table times a. */
function axpy(prev: usize, scaled: usize, e: usize, nq: i32): void {
  for (let q = 0; q < nq; q++) {
    const wp = load<u32>(prev + (<usize>q << 2));
    const ep = e + (<usize>q << 7);
    v128.store(ep, f64x2.add(v128.load(ep), v128.load(scaled + nib(wp, 0))));
    v128.store(ep, f64x2.add(v128.load(ep, 16), v128.load(scaled + nib(wp, 1))), 16);
    v128.store(ep, f64x2.add(v128.load(ep, 32), v128.load(scaled + nib(wp, 2))), 32);
    v128.store(ep, f64x2.add(v128.load(ep, 48), v128.load(scaled + nib(wp, 3))), 48);
    v128.store(ep, f64x2.add(v128.load(ep, 64), v128.load(scaled + nib(wp, 4))), 64);
    v128.store(ep, f64x2.add(v128.load(ep, 80), v128.load(scaled + nib(wp, 5))), 80);
    v128.store(ep, f64x2.add(v128.load(ep, 96), v128.load(scaled + nib(wp, 6))), 96);
    v128.store(ep, f64x2.add(v128.load(ep, 112), v128.load(scaled + nib(wp, 7))), 112);
  }
}

/** Σ ê_i over the records whose genotype at marker j is missing. */
@inline
function missingSum(desc: usize, j: i32, e: usize): f64 {
  const ptr = field(desc, 20);
  const idx = field(desc, 24);
  let s = 0.0;
  const end = load<i32>(ptr + ((<usize>j + 1) << 2));
  for (let t = load<i32>(ptr + (<usize>j << 2)); t < end; t++) s += load<f64>(e + (<usize>load<i32>(idx + (<usize>t << 2)) << 3));
  return s;
}

/** ê_i ← ê_i + v over the records whose genotype at marker j is missing. */
@inline
function missingAdd(desc: usize, j: i32, e: usize, v: f64): void {
  const ptr = field(desc, 20);
  const idx = field(desc, 24);
  const end = load<i32>(ptr + ((<usize>j + 1) << 2));
  for (let t = load<i32>(ptr + (<usize>j << 2)); t < end; t++) {
    const at = e + (<usize>load<i32>(idx + (<usize>t << 2)) << 3);
    store<f64>(at, load<f64>(at) + v);
  }
}

/** The sweep's running state: S = Σ ê over the records, off, and the pending update (a, marker). */
let S: f64 = 0;
let off: f64 = 0;
let pendingA: f64 = 0;
let pendingJ: i32 = -1;

@inline
function start(desc: usize, e: usize): void {
  const n = <i32>field(desc, 16);
  let s = 0.0;
  for (let i = 0; i < n; i++) s += load<f64>(e + (<usize>i << 3));
  S = s;
  off = 0;
  pendingA = 0;
  pendingJ = -1;
}

/**
 * x_j'e with every earlier update applied: the pending one (marker pendingJ, by a) is applied first
 * (its missing records, S and off, then fused with the dot over the column).
 */
function crossResidual(desc: usize, j: i32, e: usize, scaled: usize): f64 {
  const geno = field(desc, 0);
  const stride = field(desc, 4);
  const nq = <i32>field(desc, 8);
  const col = geno + <usize>j * stride;
  let d: f64;
  if (pendingA != 0) {
    const jp = pendingJ;
    const a = pendingA;
    missingAdd(desc, jp, e, a * load<f64>(field(desc, 28) + (<usize>jp << 3)));
    S += a * load<f64>(field(desc, 36) + (<usize>jp << 3));
    off -= a * load<f64>(field(desc, 32) + (<usize>jp << 3));
    scaleTable(scaled, a);
    d = fused(geno + <usize>jp * stride, col, scaled, e, nq);
    pendingA = 0;
  } else {
    d = dot(col, e, nq);
  }
  d += load<f64>(field(desc, 28) + (<usize>j << 3)) * missingSum(desc, j, e);
  const c = load<f64>(field(desc, 32) + (<usize>j << 3));
  const n = <f64>field(desc, 16);
  return d - c * S + off * (load<f64>(field(desc, 36) + (<usize>j << 3)) - n * c);
}

/** Apply what is pending and fold off into ê, so that e = y − fitted again. */
function finish(desc: usize, e: usize, scaled: usize): void {
  if (pendingA != 0) {
    const jp = pendingJ;
    const a = pendingA;
    missingAdd(desc, jp, e, a * load<f64>(field(desc, 28) + (<usize>jp << 3)));
    off -= a * load<f64>(field(desc, 32) + (<usize>jp << 3));
    scaleTable(scaled, a);
    axpy(field(desc, 0) + <usize>jp * field(desc, 4), scaled, e, <i32>field(desc, 8));
    pendingA = 0;
  }
  const n = <i32>field(desc, 16);
  if (off != 0) for (let i = 0; i < n; i++) store<f64>(e + (<usize>i << 3), load<f64>(e + (<usize>i << 3)) + off);
}

/**
 * One sweep with every marker in the model, β_j ~ N(0, σ²e·v_j/ridge) (BRR, BayesA: v = σ²_j and
 * ridge = σ²e; the Bayesian LASSO: v = τ²_j and ridge = 1):
 *   β_j | rest ~ N(r_j/c_j, σ²e/c_j),  c_j = x_j'x_j + ridge/v_j,  r_j = x_j'e + x_j'x_j β_j,
 * v_j = prior[0] when `common`, else prior[j]; z holds the p standard normals of the sweep.
 * Mutates: beta, e.
 */
export function normalSweep(desc: usize, e: usize, scaled: usize, beta: usize, prior: usize, common: i32, ridge: f64, varE: f64, z: usize): void {
  start(desc, e);
  const p = <i32>field(desc, 12);
  const xx = field(desc, 40);
  for (let j = 0; j < p; j++) {
    const xe = crossResidual(desc, j, e, scaled);
    const xxj = load<f64>(xx + (<usize>j << 3));
    const c = xxj + ridge / load<f64>(prior + (common ? 0 : <usize>j << 3));
    const bj = load<f64>(beta + (<usize>j << 3));
    const r = xe + xxj * bj;
    const bNew = r / c + Math.sqrt(varE / c) * load<f64>(z + (<usize>j << 3));
    pendingA = bj - bNew;
    pendingJ = j;
    store<f64>(beta + (<usize>j << 3), bNew);
  }
  finish(desc, e, scaled);
}

/**
 * One sweep of a spike-and-slab prior (BayesB, BayesC): β_j = δ_j b_j, b_j ~ N(0, σ²_j), P(δ_j = 0) = π,
 * δ_j drawn with b_j integrated out (Habier et al. 2011; BGLR):
 *   log odds(δ_j = 1) = log((1 − π)/π) + r_j²/(2σ²e c_j) − ½ log(c_j σ²_j/σ²e),  c_j = x_j'x_j + σ²e/σ²_j,
 * δ_j = 1 when u_j < 1/(1 + exp(−log odds)); then b_j ~ N(r_j/c_j, σ²e/c_j), or its prior N(0, σ²_j).
 * σ²_j = priorVar[0] when `common`; u and z hold the sweep's p uniforms and normals.
 * Mutates: beta, b, delta, e.
 */
export function mixtureSweep(
  desc: usize,
  e: usize,
  scaled: usize,
  beta: usize,
  b: usize,
  delta: usize,
  priorVar: usize,
  common: i32,
  varE: f64,
  pi: f64,
  z: usize,
  u: usize,
): void {
  start(desc, e);
  const p = <i32>field(desc, 12);
  const xx = field(desc, 40);
  const logPriorOdds = hostLog((1 - pi) / pi);
  for (let j = 0; j < p; j++) {
    const xe = crossResidual(desc, j, e, scaled);
    const xxj = load<f64>(xx + (<usize>j << 3));
    const vj = load<f64>(priorVar + (common ? 0 : <usize>j << 3));
    const c = xxj + varE / vj;
    const old = load<f64>(beta + (<usize>j << 3));
    const r = xe + xxj * old;
    const logOdds = logPriorOdds + (r * r) / (2 * varE * c) - 0.5 * hostLog((c * vj) / varE);
    const pIn = 1 / (1 + hostExp(-logOdds));
    const zj = load<f64>(z + (<usize>j << 3));
    let now: f64;
    if (load<f64>(u + (<usize>j << 3)) < pIn) {
      store<f64>(delta + (<usize>j << 3), 1);
      now = r / c + Math.sqrt(varE / c) * zj;
      store<f64>(b + (<usize>j << 3), now);
    } else {
      store<f64>(delta + (<usize>j << 3), 0);
      store<f64>(b + (<usize>j << 3), Math.sqrt(vj) * zj);
      now = 0;
    }
    store<f64>(beta + (<usize>j << 3), now);
    pendingA = old - now;
    pendingJ = j;
  }
  finish(desc, e, scaled);
}

/**
 * One sweep of BayesR (Erbe et al. 2012): class_j over K classes with β_j integrated out,
 *   log w_k = log π_k − ½ log(c_k σ²_k/σ²e) + r_j²/(2σ²e c_k), σ²_k = γ_k σ²g/v̄, c_k = x_j'x_j + σ²e/σ²_k
 * (log w = log π_k for γ_k = 0), drawn by inverting u_j·Σ_k exp(log w_k − max) over the classes in
 * order; then β_j ~ N(r_j/c_k, σ²e/c_k), or 0 in the null class. `work` is scratch of 3K f64 (log π,
 * log w, the weights).
 * Mutates: beta, cls, delta, e.
 */
export function bayesRSweep(
  desc: usize,
  e: usize,
  scaled: usize,
  beta: usize,
  cls: usize,
  delta: usize,
  pi: usize,
  gammas: usize,
  K: i32,
  varG: f64,
  vbar: f64,
  varE: f64,
  work: usize,
  z: usize,
  u: usize,
): void {
  start(desc, e);
  const p = <i32>field(desc, 12);
  const xx = field(desc, 40);
  const logPi = work;
  const logW = work + (<usize>K << 3);
  const w = work + (<usize>(2 * K) << 3);
  for (let k = 0; k < K; k++) store<f64>(logPi + (<usize>k << 3), hostLog(load<f64>(pi + (<usize>k << 3))));
  for (let j = 0; j < p; j++) {
    const xe = crossResidual(desc, j, e, scaled);
    const xxj = load<f64>(xx + (<usize>j << 3));
    const old = load<f64>(beta + (<usize>j << 3));
    const r = xe + xxj * old;
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      const g = load<f64>(gammas + (<usize>k << 3));
      let lw = load<f64>(logPi + (<usize>k << 3));
      if (g != 0) {
        const vk = (g * varG) / vbar;
        const c = xxj + varE / vk;
        lw = lw - 0.5 * hostLog((c * vk) / varE) + (r * r) / (2 * varE * c);
      }
      store<f64>(logW + (<usize>k << 3), lw);
      if (lw > max) max = lw;
    }
    let total = 0.0;
    for (let k = 0; k < K; k++) {
      const wk = hostExp(load<f64>(logW + (<usize>k << 3)) - max);
      store<f64>(w + (<usize>k << 3), wk);
      total += wk;
    }
    let left = load<f64>(u + (<usize>j << 3)) * total;
    let k = 0;
    for (; k < K - 1; k++) {
      left -= load<f64>(w + (<usize>k << 3));
      if (left <= 0) break;
    }
    const g = load<f64>(gammas + (<usize>k << 3));
    let now: f64 = 0;
    if (g == 0) {
      store<f64>(delta + (<usize>j << 3), 0);
    } else {
      const vk = (g * varG) / vbar;
      const c = xxj + varE / vk;
      now = r / c + Math.sqrt(varE / c) * load<f64>(z + (<usize>j << 3));
      store<f64>(delta + (<usize>j << 3), 1);
    }
    store<f64>(beta + (<usize>j << 3), now);
    store<f64>(cls + (<usize>j << 3), <f64>k);
    pendingA = old - now;
    pendingJ = j;
  }
  finish(desc, e, scaled);
}
