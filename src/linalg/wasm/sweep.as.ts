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
 *
 * Long because: one compilation unit holds every sweep and the single-column state they share (S,
 * off, the pending update; AssemblyScript modules cannot assign each other's globals), and the JS
 * twin mirrors it section by section.
 */

/**
 * e^x by the algorithm of fdlibm's e_exp.c (Sun Microsystems 1993), which V8's Math.exp is (its
 * base/ieee754.cc, with exp(1) = Math.E): x = k·ln2 + r, |r| ≤ ½ln2, with ln2 = ln2hi + ln2lo (k·ln2hi
 * exact) and r = hi − lo; e^r = 1 + r + r·c/(2 − c), c = r − r²(P1 + r²(P2 + … + r²P5)) (a Remez
 * fit); the result scaled by 2^k. The same operations in the same order give Math.exp's bits (a test
 * checks it), so the kernel draws what the JS twin draws without a call out of the module per marker.
 * Inlined where it is used: BayesR's sweep 2–5% faster than with a call per class.
 */
@inline
function fdlibmExp(x: f64): f64 {
  const hx0 = <u32>(reinterpret<u64>(x) >> 32);
  const negative = hx0 >> 31;
  const hx = hx0 & 0x7fffffff;
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | <u32>reinterpret<u64>(x)) != 0) return x + x;
      return negative == 0 ? x : 0.0;
    }
    if (x > 7.09782712893383973096e2) return Infinity;
    if (x < -7.45133219101941108420e2) return 0.0;
  }
  const ln2hi = 6.93147180369123816490e-1;
  const ln2lo = 1.90821492927058770002e-10;
  let hi = 0.0;
  let lo = 0.0;
  let k: i32 = 0;
  let r = x;
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      if (x == 1.0) return Math.E;
      if (negative == 0) {
        hi = x - ln2hi;
        lo = ln2lo;
        k = 1;
      } else {
        hi = x + ln2hi;
        lo = -ln2lo;
        k = -1;
      }
    } else {
      k = <i32>(1.44269504088896338700 * x + (negative == 0 ? 0.5 : -0.5));
      const t = <f64>k;
      hi = x - t * ln2hi;
      lo = t * ln2lo;
    }
    r = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1 + x;
  }
  const t = r * r;
  const c = r - t * (1.66666666666666019037e-1 + t * (-2.77777777770155933842e-3 + t * (6.61375632143793436117e-5 + t * (-1.65339022054652515390e-6 + t * 4.13813679705723846039e-8))));
  if (k == 0) return 1 - ((r * c) / (c - 2.0) - r);
  const y = 1 - ((lo - (r * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * reinterpret<f64>(0x7fe0000000000000);
    return y * reinterpret<f64>(<u64>(0x3ff + k) << 52);
  }
  return y * reinterpret<f64>(<u64>(0x3ff + k + 1000) << 52) * 9.33263618503218878990e-302;
}

/** e^x as the sweeps compute it (fdlibmExp): Math.exp's bits. */
export function exp(x: f64): f64 {
  return fdlibmExp(x);
}

/**
 * ln x by the algorithm of fdlibm's e_log.c (Sun Microsystems 1993), which V8's Math.log is (its
 * base/ieee754.cc): x = 2^k·(1 + f) with √2/2 < 1 + f < √2 (a subnormal x scaled by 2^54 first);
 * ln(1 + f) = f − (hfsq − s·(hfsq + R)), hfsq = f²/2, or f − s·(f − R) for f near 0, with s = f/(2 + f)
 * and R ≈ z·(Lg1 + z·(Lg2 + … + z·Lg7)), z = s² (a Remez fit, its odd and even terms in two halves);
 * |f| < 2^-20 takes f − f²(1/2 − f/3); k·ln2 enters as k·ln2hi (exact) and k·ln2lo. The same
 * operations in the same order give Math.log's bits (a test checks it).
 */
function fdlibmLog(x: f64): f64 {
  const ln2hi = 6.93147180369123816490e-1;
  const ln2lo = 1.90821492927058770002e-10;
  let hx = <i32>(reinterpret<u64>(x) >> 32);
  const lx = <u32>reinterpret<u64>(x);
  let k: i32 = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= 1.80143985094819840000e16;
    hx = <i32>(reinterpret<u64>(x) >> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = reinterpret<f64>((<u64>(hx | (i ^ 0x3ff00000)) << 32) | <u64>(<u32>reinterpret<u64>(x)));
  k += i >> 20;
  const f = x - 1.0;
  const dk = <f64>k;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0) return k == 0 ? 0 : dk * ln2hi + dk * ln2lo;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - R : dk * ln2hi - ((R - dk * ln2lo) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (3.999999999940941908e-1 + w * (2.222219843214978396e-1 + w * 1.531383769920937332e-1));
  const t2 = z * (6.666666666666735130e-1 + w * (2.857142874366239149e-1 + w * (1.818357216161805012e-1 + w * 1.479819860511658591e-1)));
  const R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + R)) : dk * ln2hi - ((hfsq - (s * (hfsq + R) + dk * ln2lo)) - f);
  }
  return k == 0 ? f - s * (f - R) : dk * ln2hi - ((s * (f - R) - dk * ln2lo) - f);
}

/** ln x as the sweeps compute it (fdlibmLog): Math.log's bits. */
export function log(x: f64): f64 {
  return fdlibmLog(x);
}

/** Byte offset in the nibble table of the two codes k of w (entries of 16 bytes). */
@inline
function nib(w: u32, k: i32): usize {
  return <usize>(k == 0 ? (w << 4) & 0xf0 : (w >> (4 * k - 4)) & 0xf0);
}

/** Byte offset in the byte table (entries of 32 bytes) of byte k of block q of a column (one byte load: fewer instructions than shifting and masking a word). */
@inline
function bytAt(col: usize, q: i32, k: i32): usize {
  return <usize>load<u8>(col + (<usize>q << 2) + <usize>k) << 5;
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
    const ep = e + (<usize>q << 7);
    const b0 = bytAt(col, q, 0);
    const b1 = bytAt(col, q, 1);
    const b2 = bytAt(col, q, 2);
    const b3 = bytAt(col, q, 3);
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

/**
 * This thread's scaled table: the nibble table times the pending update a (16 entries of two f64).
 * The code addresses it as a constant (a memarg offset, with no base register to add: ~8% fewer
 * instructions in the fused pass); SCALED is a placeholder that the loader (../kernel.ts) rewrites in
 * each instance's copy of the binary to that instance's own slot of the shared memory (arena.ts), at
 * the sites build.mjs lists. Every access to the table is `v128.*(x, SCALED + k)` with x an index.
 */
const SCALED: usize = 0x7e000000;

/** The table at SCALED ← the nibble table times a. */
@inline
function scaleTable(a: f64): void {
  const av = f64x2.splat(a);
  // unrolled: binaryen keeps a loop of 16 turns as a loop, ~2.5 times the instructions
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 0)), SCALED + 0);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 16)), SCALED + 16);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 32)), SCALED + 32);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 48)), SCALED + 48);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 64)), SCALED + 64);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 80)), SCALED + 80);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 96)), SCALED + 96);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 112)), SCALED + 112);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 128)), SCALED + 128);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 144)), SCALED + 144);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 160)), SCALED + 160);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 176)), SCALED + 176);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 192)), SCALED + 192);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 208)), SCALED + 208);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 224)), SCALED + 224);
  v128.store(0, f64x2.mul(av, v128.load(NIBBLES, 240)), SCALED + 240);
}

/**
 * ê ← ê + a·g_prev, then Σ_i g_col,i ê_i (one pass over ê); SCALED holds the table times a. Inlined
 * into its one caller: 4–6% faster sweeps than calling it (V8 compiles the pass better in place).
 */
@inline
function fused(prev: usize, col: usize, e: usize, nq: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  // pointers stepped rather than computed from a block index: fewer instructions per block
  let pp = prev;
  let cp = col;
  const end = e + (<usize>nq << 7);
  for (let ep = e; ep < end; ep += 128) {
    const wp = load<u32>(pp);
    const b0 = bytAt(cp, 0, 0);
    const b1 = bytAt(cp, 0, 1);
    const b2 = bytAt(cp, 0, 2);
    const b3 = bytAt(cp, 0, 3);
    pp += 4;
    cp += 4;
    const e0 = f64x2.add(v128.load(ep), v128.load(nib(wp, 0), SCALED));
    v128.store(ep, e0);
    a0 = f64x2.add(a0, f64x2.mul(v128.load(b0), e0));
    const e1 = f64x2.add(v128.load(ep, 16), v128.load(nib(wp, 1), SCALED));
    v128.store(ep, e1, 16);
    a1 = f64x2.add(a1, f64x2.mul(v128.load(b0, 16), e1));
    const e2 = f64x2.add(v128.load(ep, 32), v128.load(nib(wp, 2), SCALED));
    v128.store(ep, e2, 32);
    a2 = f64x2.add(a2, f64x2.mul(v128.load(b1), e2));
    const e3 = f64x2.add(v128.load(ep, 48), v128.load(nib(wp, 3), SCALED));
    v128.store(ep, e3, 48);
    a3 = f64x2.add(a3, f64x2.mul(v128.load(b1, 16), e3));
    const e4 = f64x2.add(v128.load(ep, 64), v128.load(nib(wp, 4), SCALED));
    v128.store(ep, e4, 64);
    a0 = f64x2.add(a0, f64x2.mul(v128.load(b2), e4));
    const e5 = f64x2.add(v128.load(ep, 80), v128.load(nib(wp, 5), SCALED));
    v128.store(ep, e5, 80);
    a1 = f64x2.add(a1, f64x2.mul(v128.load(b2, 16), e5));
    const e6 = f64x2.add(v128.load(ep, 96), v128.load(nib(wp, 6), SCALED));
    v128.store(ep, e6, 96);
    a2 = f64x2.add(a2, f64x2.mul(v128.load(b3), e6));
    const e7 = f64x2.add(v128.load(ep, 112), v128.load(nib(wp, 7), SCALED));
    v128.store(ep, e7, 112);
    a3 = f64x2.add(a3, f64x2.mul(v128.load(b3, 16), e7));
  }
  const u = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  return f64x2.extract_lane(u, 0) + f64x2.extract_lane(u, 1);
}

/** ê ← ê + a·g_prev over the padded column; SCALED holds the table times a. */
function axpy(prev: usize, e: usize, nq: i32): void {
  let pp = prev;
  const end = e + (<usize>nq << 7);
  for (let ep = e; ep < end; ep += 128) {
    const wp = load<u32>(pp);
    pp += 4;
    v128.store(ep, f64x2.add(v128.load(ep), v128.load(nib(wp, 0), SCALED)));
    v128.store(ep, f64x2.add(v128.load(ep, 16), v128.load(nib(wp, 1), SCALED)), 16);
    v128.store(ep, f64x2.add(v128.load(ep, 32), v128.load(nib(wp, 2), SCALED)), 32);
    v128.store(ep, f64x2.add(v128.load(ep, 48), v128.load(nib(wp, 3), SCALED)), 48);
    v128.store(ep, f64x2.add(v128.load(ep, 64), v128.load(nib(wp, 4), SCALED)), 64);
    v128.store(ep, f64x2.add(v128.load(ep, 80), v128.load(nib(wp, 5), SCALED)), 80);
    v128.store(ep, f64x2.add(v128.load(ep, 96), v128.load(nib(wp, 6), SCALED)), 96);
    v128.store(ep, f64x2.add(v128.load(ep, 112), v128.load(nib(wp, 7), SCALED)), 112);
  }
}

/** Σ ê_i over the records whose genotype at marker j is missing. */
@inline
function missingSum(j: i32, e: usize): f64 {
  const ptr = missPtr;
  const idx = missIdx;
  let s = 0.0;
  const end = load<i32>(ptr + ((<usize>j + 1) << 2));
  for (let t = load<i32>(ptr + (<usize>j << 2)); t < end; t++) s += load<f64>(e + (<usize>load<i32>(idx + (<usize>t << 2)) << 3));
  return s;
}

/** ê_i ← ê_i + v over the records whose genotype at marker j is missing. */
@inline
function missingAdd(j: i32, e: usize, v: f64): void {
  const ptr = missPtr;
  const idx = missIdx;
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

/** The set's descriptor fields, read once per sweep by start() (not once per marker). */
let geno: usize = 0;
let stride: usize = 0;
let nq: i32 = 0;
let records: f64 = 0;
let missPtr: usize = 0;
let missIdx: usize = 0;
let means: usize = 0;
let center: usize = 0;
let sums: usize = 0;

@inline
function start(desc: usize, e: usize): void {
  geno = field(desc, 0);
  stride = field(desc, 4);
  nq = <i32>field(desc, 8);
  records = <f64>field(desc, 16);
  missPtr = field(desc, 20);
  missIdx = field(desc, 24);
  means = field(desc, 28);
  center = field(desc, 32);
  sums = field(desc, 36);
  const n = <i32>records;
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
function crossResidual(j: i32, e: usize): f64 {
  const col = geno + <usize>j * stride;
  let d: f64;
  if (pendingA != 0) {
    const jp = pendingJ;
    const a = pendingA;
    missingAdd(jp, e, a * load<f64>(means + (<usize>jp << 3)));
    S += a * load<f64>(sums + (<usize>jp << 3));
    off -= a * load<f64>(center + (<usize>jp << 3));
    scaleTable(a);
    d = fused(geno + <usize>jp * stride, col, e, nq);
    pendingA = 0;
  } else {
    d = dot(col, e, nq);
  }
  d += load<f64>(means + (<usize>j << 3)) * missingSum(j, e);
  const c = load<f64>(center + (<usize>j << 3));
  return d - c * S + off * (load<f64>(sums + (<usize>j << 3)) - records * c);
}

/** Apply what is pending and fold off into ê, so that e = y − fitted again. */
function finish(e: usize): void {
  if (pendingA != 0) {
    const jp = pendingJ;
    const a = pendingA;
    missingAdd(jp, e, a * load<f64>(means + (<usize>jp << 3)));
    off -= a * load<f64>(center + (<usize>jp << 3));
    scaleTable(a);
    axpy(geno + <usize>jp * stride, e, nq);
    pendingA = 0;
  }
  const n = <i32>records;
  if (off != 0) for (let i = 0; i < n; i++) store<f64>(e + (<usize>i << 3), load<f64>(e + (<usize>i << 3)) + off);
}

/**
 * One sweep with every marker in the model, β_j ~ N(0, σ²e·v_j/ridge) (BRR, BayesA: v = σ²_j and
 * ridge = σ²e; the Bayesian LASSO: v = τ²_j and ridge = 1):
 *   β_j | rest ~ N(r_j/c_j, σ²e/c_j),  c_j = x_j'x_j + ridge/v_j,  r_j = x_j'e + x_j'x_j β_j,
 * v_j = prior[0] when `common`, else prior[j]; z holds the p standard normals of the sweep.
 * Mutates: beta, e.
 */
export function normalSweep(desc: usize, e: usize, beta: usize, prior: usize, common: i32, ridge: f64, varE: f64, z: usize): void {
  start(desc, e);
  const p = <i32>field(desc, 12);
  const xx = field(desc, 40);
  for (let j = 0; j < p; j++) {
    const xe = crossResidual(j, e);
    const xxj = load<f64>(xx + (<usize>j << 3));
    const c = xxj + ridge / load<f64>(prior + (common ? 0 : <usize>j << 3));
    const bj = load<f64>(beta + (<usize>j << 3));
    const r = xe + xxj * bj;
    const bNew = r / c + Math.sqrt(varE / c) * load<f64>(z + (<usize>j << 3));
    pendingA = bj - bNew;
    pendingJ = j;
    store<f64>(beta + (<usize>j << 3), bNew);
  }
  finish(e);
}

/**
 * One sweep of a spike-and-slab prior (BayesB, BayesC): β_j = δ_j b_j, b_j ~ N(0, σ²_j), P(δ_j = 0) = π,
 * δ_j drawn with b_j integrated out (Habier et al. 2011; BGLR):
 *   log odds(δ_j = 1) = log((1 − π)/π) + r_j²/(2σ²e c_j) − ½ log(c_j σ²_j/σ²e),  c_j = x_j'x_j + σ²e/σ²_j,
 * δ_j = 1 when u_j < 1/(1 + exp(−log odds)) = 1/(1 + K_j·exp(−r_j²/(2σ²e c_j))), K_j = π/(1 − π)·
 * (c_j σ²_j/σ²e)^(1/2); that is, when r_j² > 2σ²e c_j·ln(K_j u_j/(1 − u_j)). The bound is free of r_j,
 * so it is computed before the cross-product, and only a square and a comparison wait for it (the
 * log's bits are Math.log's in both kernels). Then b_j ~ N(r_j/c_j, σ²e/c_j), or its prior N(0, σ²_j).
 * σ²_j = priorVar[0] when `common`; u and z hold the sweep's p uniforms and normals.
 * Mutates: beta, b, delta, e.
 */
export function mixtureSweep(
  desc: usize,
  e: usize,
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
  const priorOdds = pi / (1 - pi);
  for (let j = 0; j < p; j++) {
    const xxj = load<f64>(xx + (<usize>j << 3));
    const vj = load<f64>(priorVar + (common ? 0 : <usize>j << 3));
    const c = xxj + varE / vj;
    const uj = load<f64>(u + (<usize>j << 3));
    const bound = 2 * varE * c * fdlibmLog((priorOdds * Math.sqrt((c * vj) / varE) * uj) / (1 - uj));
    const xe = crossResidual(j, e);
    const old = load<f64>(beta + (<usize>j << 3));
    const r = xe + xxj * old;
    const zj = load<f64>(z + (<usize>j << 3));
    let now: f64;
    if (r * r > bound) {
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
  finish(e);
}

/**
 * One sweep of BayesR (Erbe et al. 2012): class_j over K classes with β_j integrated out,
 *   w_k ∝ π_k (c_k σ²_k/σ²e)^(−1/2) exp(r_j²/(2σ²e c_k)), σ²_k = γ_k σ²g/v̄, c_k = x_j'x_j + σ²e/σ²_k
 * (w_k ∝ π_k for γ_k = 0), computed as π_k (1 + x_j'x_j σ²_k/σ²e)^(−1/2) exp(q_k − q*) with
 * q_k = r_j²/(2σ²e c_k) and q* their largest (one exp per class but the largest, no log); drawn by
 * inverting u_j·Σ_k w_k over the classes in order; then β_j ~ N(r_j/c_k, σ²e/c_k), or 0 in the
 * null class. `work` is scratch of 4K f64 (σ²e/σ²_k, q, the weights, σ²_k/σ²e).
 * Mutates: beta, cls, delta, e.
 */
export function bayesRSweep(
  desc: usize,
  e: usize,
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
  // per class, once per sweep: σ²e/σ²_k and σ²_k/σ²e (σ²_k = γ_k σ²g/v̄)
  const ridge = work;
  const q = work + (<usize>K << 3);
  const w = work + (<usize>(2 * K) << 3);
  const ratio = work + (<usize>(3 * K) << 3);
  for (let k = 0; k < K; k++) {
    const vk = (load<f64>(gammas + (<usize>k << 3)) * varG) / vbar;
    store<f64>(ridge + (<usize>k << 3), varE / vk);
    store<f64>(ratio + (<usize>k << 3), vk / varE);
  }
  for (let j = 0; j < p; j++) {
    const xe = crossResidual(j, e);
    const xxj = load<f64>(xx + (<usize>j << 3));
    const old = load<f64>(beta + (<usize>j << 3));
    const r = xe + xxj * old;
    // w_k = π_k (1 + x_j'x_j σ²_k/σ²e)^(−1/2) exp(q_k − q*), q_k = r²/(2σ²e c_k) (0 in a null class), q* the largest
    let max = 0.0;
    for (let k = 0; k < K; k++) {
      let qk = 0.0;
      if (load<f64>(gammas + (<usize>k << 3)) != 0) qk = (r * r) / (2 * varE * (xxj + load<f64>(ridge + (<usize>k << 3))));
      store<f64>(q + (<usize>k << 3), qk);
      if (qk > max) max = qk;
    }
    let total = 0.0;
    for (let k = 0; k < K; k++) {
      const qk = load<f64>(q + (<usize>k << 3));
      let wk = load<f64>(pi + (<usize>k << 3)) * (qk == max ? 1 : fdlibmExp(qk - max));
      if (load<f64>(gammas + (<usize>k << 3)) != 0) wk /= Math.sqrt(1 + xxj * load<f64>(ratio + (<usize>k << 3)));
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
      const c = xxj + load<f64>(ridge + (<usize>k << 3));
      now = r / c + Math.sqrt(varE / c) * load<f64>(z + (<usize>j << 3));
      store<f64>(delta + (<usize>j << 3), 1);
    }
    store<f64>(beta + (<usize>j << 3), now);
    store<f64>(cls + (<usize>j << 3), <f64>k);
    pendingA = old - now;
    pendingJ = j;
  }
  finish(e);
}

/*
 * Multi-trait sweeps: t residual columns e + s·pitch (s = 0 … t − 1), each with its own running state
 * (S, off, the pending update) kept in `st` (4 f64 per column: S, off, pending a, pending marker) and
 * swapped into the single-column state around every use, so that each column follows exactly the
 * single-trait algebra above.
 */

@inline
function loadColumn(st: usize, s: i32): void {
  const a = st + (<usize>s << 5);
  S = load<f64>(a);
  off = load<f64>(a, 8);
  pendingA = load<f64>(a, 16);
  pendingJ = <i32>load<f64>(a, 24);
}

@inline
function saveColumn(st: usize, s: i32): void {
  const a = st + (<usize>s << 5);
  store<f64>(a, S);
  store<f64>(a, off, 8);
  store<f64>(a, pendingA, 16);
  store<f64>(a, <f64>pendingJ, 24);
}

function startColumns(desc: usize, e: usize, pitch: usize, t: i32, st: usize): void {
  for (let s = 0; s < t; s++) {
    start(desc, e + <usize>s * pitch);
    saveColumn(st, s);
  }
}

/** out[s] = x_j'e_s for every column (each column's pending update applied first). */
function crossColumns(j: i32, e: usize, pitch: usize, t: i32, st: usize, out: usize): void {
  for (let s = 0; s < t; s++) {
    loadColumn(st, s);
    store<f64>(out + (<usize>s << 3), crossResidual(j, e + <usize>s * pitch));
    saveColumn(st, s);
  }
}

/** Column s's pending update: e_s ← e_s + a·x_j at the next use. */
@inline
function pendColumn(st: usize, s: i32, j: i32, a: f64): void {
  const at = st + (<usize>s << 5);
  store<f64>(at, a, 16);
  store<f64>(at, <f64>j, 24);
}

function finishColumns(e: usize, pitch: usize, t: i32, st: usize): void {
  for (let s = 0; s < t; s++) {
    loadColumn(st, s);
    finish(e + <usize>s * pitch);
    saveColumn(st, s);
  }
}

/** In-place Cholesky C = LL' of a t × t matrix at c (lower triangle, row-major; the upper is left as is). */
function smallCholesky(c: usize, t: i32): void {
  for (let j = 0; j < t; j++) {
    let d = load<f64>(c + (<usize>(j * t + j) << 3));
    for (let k = 0; k < j; k++) {
      const l = load<f64>(c + (<usize>(j * t + k) << 3));
      d -= l * l;
    }
    const ljj = Math.sqrt(d);
    store<f64>(c + (<usize>(j * t + j) << 3), ljj);
    for (let i = j + 1; i < t; i++) {
      let v = load<f64>(c + (<usize>(i * t + j) << 3));
      for (let k = 0; k < j; k++) v -= load<f64>(c + (<usize>(i * t + k) << 3)) * load<f64>(c + (<usize>(j * t + k) << 3));
      store<f64>(c + (<usize>(i * t + j) << 3), v / ljj);
    }
  }
}

/** x ← L⁻¹x (forward) with L the lower triangle at c. */
function smallForward(c: usize, t: i32, x: usize): void {
  for (let i = 0; i < t; i++) {
    let v = load<f64>(x + (<usize>i << 3));
    for (let k = 0; k < i; k++) v -= load<f64>(c + (<usize>(i * t + k) << 3)) * load<f64>(x + (<usize>k << 3));
    store<f64>(x + (<usize>i << 3), v / load<f64>(c + (<usize>(i * t + i) << 3)));
  }
}

/** x ← L⁻ᵀx (backward) with L the lower triangle at c. */
function smallBackward(c: usize, t: i32, x: usize): void {
  for (let i = t - 1; i >= 0; i--) {
    let v = load<f64>(x + (<usize>i << 3));
    for (let k = i + 1; k < t; k++) v -= load<f64>(c + (<usize>(k * t + i) << 3)) * load<f64>(x + (<usize>k << 3));
    store<f64>(x + (<usize>i << 3), v / load<f64>(c + (<usize>(i * t + i) << 3)));
  }
}

/**
 * One multi-trait BRR sweep: β_j ∈ Rᵗ ~ N(0, Σβ), residuals e_i ~ N(0, R0), W = R0⁻¹ (at w),
 * Σβ⁻¹ at ginv (t × t each), β marker-major (β[j·t + s]):
 *   β_j | rest ~ N(C⁻¹ W r_j, C⁻¹),  C = x_j'x_j W + Σβ⁻¹,  r_j[s] = x_j'e_s + x_j'x_j β_j[s]
 * (the multi-trait mixed-model equations of one marker; Henderson & Quaas 1976), drawn as
 * C⁻¹Wr + L⁻ᵀz (C = LL'), z the t normals of marker j at z[j·t]. `work` is scratch of t² + 3t f64.
 * Mutates: beta, every e_s.
 */
export function mvNormalSweep(desc: usize, e: usize, pitch: usize, t: i32, st: usize, beta: usize, w: usize, ginv: usize, z: usize, work: usize): void {
  startColumns(desc, e, pitch, t, st);
  const p = <i32>field(desc, 12);
  const xx = field(desc, 40);
  const xe = work;
  const rhs = work + (<usize>t << 3);
  const noise = work + (<usize>(2 * t) << 3);
  const c = work + (<usize>(3 * t) << 3);
  for (let j = 0; j < p; j++) {
    crossColumns(j, e, pitch, t, st, xe);
    const xxj = load<f64>(xx + (<usize>j << 3));
    const bj = beta + (<usize>(j * t) << 3);
    for (let a = 0; a < t; a++) store<f64>(xe + (<usize>a << 3), load<f64>(xe + (<usize>a << 3)) + xxj * load<f64>(bj + (<usize>a << 3)));
    for (let a = 0; a < t; a++) {
      let v = 0.0;
      for (let b = 0; b < t; b++) v += load<f64>(w + (<usize>(a * t + b) << 3)) * load<f64>(xe + (<usize>b << 3));
      store<f64>(rhs + (<usize>a << 3), v);
      for (let b = 0; b < t; b++) {
        const ab = <usize>(a * t + b) << 3;
        store<f64>(c + ab, xxj * load<f64>(w + ab) + load<f64>(ginv + ab));
      }
      store<f64>(noise + (<usize>a << 3), load<f64>(z + (<usize>(j * t + a) << 3)));
    }
    smallCholesky(c, t);
    smallForward(c, t, rhs);
    smallBackward(c, t, rhs);
    smallBackward(c, t, noise);
    for (let a = 0; a < t; a++) {
      const old = load<f64>(bj + (<usize>a << 3));
      const now = load<f64>(rhs + (<usize>a << 3)) + load<f64>(noise + (<usize>a << 3));
      store<f64>(bj + (<usize>a << 3), now);
      pendColumn(st, a, j, old - now);
    }
  }
  finishColumns(e, pitch, t, st);
}

/**
 * One multi-trait BayesC sweep (Cheng et al. 2018, Genetics 209:89, "Gibbs sampler I"): each marker
 * has slab effects b_j ~ N(0, Σβ) and indicators δ_j ∈ {0,1}ᵗ with P(δ_j = pattern) = Π(pattern),
 * α_j = δ_j ∘ b_j its effects on the traits (marker-major, [j·t + k]). For each trait k in turn, with
 * w = x_j'e + x_j'x_j α_j,old (t values), Gi = Σβ⁻¹, Ri = R0⁻¹:
 *   δ_jk = 0: b_jk ~ N(ĝ0, 1/Gi_kk),  ĝ0 = −Σ_{m≠k} Gi_km b_jm / Gi_kk,
 *   δ_jk = 1: b_jk ~ N(ĝ1, 1/C_kk),   C_kk = Gi_kk + x'x Ri_kk,
 *             ĝ1 = (Σ_m w_m Ri_mk − Σ_{m≠k} (Gi_km + x'x δ_jm Ri_km) b_jm)/C_kk,
 *   log P(δ_jk = d) = −½(log c_d − ĝ_d² c_d) + log Π(δ_j with δ_jk = d),  c_0 = Gi_kk, c_1 = C_kk,
 * δ_jk = 1 when u < 1/(1 + exp(log P0 − log P1)). logPi holds log Π over the 2ᵗ patterns
 * (index Σ_m δ_m 2^m); z and u the t normals and uniforms of marker j at [j·t]; work: 2t f64.
 * Mutates: b, alpha, delta, every e_s.
 */
export function mvMixtureSweep(
  desc: usize,
  e: usize,
  pitch: usize,
  t: i32,
  st: usize,
  b: usize,
  alpha: usize,
  delta: usize,
  ri: usize,
  gi: usize,
  logPi: usize,
  z: usize,
  u: usize,
  work: usize,
): void {
  startColumns(desc, e, pitch, t, st);
  const p = <i32>field(desc, 12);
  const xx = field(desc, 40);
  const wv = work;
  const old = work + (<usize>t << 3);
  for (let j = 0; j < p; j++) {
    crossColumns(j, e, pitch, t, st, wv);
    const xxj = load<f64>(xx + (<usize>j << 3));
    const base = <usize>(j * t) << 3;
    let pattern = 0;
    for (let m = 0; m < t; m++) {
      const am = load<f64>(alpha + base + (<usize>m << 3));
      store<f64>(old + (<usize>m << 3), am);
      store<f64>(wv + (<usize>m << 3), load<f64>(wv + (<usize>m << 3)) + xxj * am);
      if (load<f64>(delta + base + (<usize>m << 3)) != 0) pattern |= 1 << m;
    }
    for (let k = 0; k < t; k++) {
      const gi11 = load<f64>(gi + (<usize>(k * t + k) << 3));
      const c11 = gi11 + load<f64>(ri + (<usize>(k * t + k) << 3)) * xxj;
      let s0 = 0.0;
      let s1 = 0.0;
      let wr = 0.0;
      for (let m = 0; m < t; m++) {
        wr += load<f64>(wv + (<usize>m << 3)) * load<f64>(ri + (<usize>(m * t + k) << 3));
        if (m == k) continue;
        const bm = load<f64>(b + base + (<usize>m << 3));
        const gb = load<f64>(gi + (<usize>(k * t + m) << 3)) * bm;
        s0 += gb;
        s1 += gb + xxj * load<f64>(delta + base + (<usize>m << 3)) * load<f64>(ri + (<usize>(k * t + m) << 3)) * bm;
      }
      const g0 = -s0 / gi11;
      const g1 = (wr - s1) / c11;
      const d0 = pattern & ~(1 << k);
      const d1 = pattern | (1 << k);
      const l0 = -0.5 * (fdlibmLog(gi11) - g0 * g0 * gi11) + load<f64>(logPi + (<usize>d0 << 3));
      const l1 = -0.5 * (fdlibmLog(c11) - g1 * g1 * c11) + load<f64>(logPi + (<usize>d1 << 3));
      const p1 = 1 / (1 + fdlibmExp(l0 - l1));
      const zk = load<f64>(z + base + (<usize>k << 3));
      const at = base + (<usize>k << 3);
      if (load<f64>(u + at) < p1) {
        const bk = g1 + zk / Math.sqrt(c11);
        store<f64>(b + at, bk);
        store<f64>(alpha + at, bk);
        store<f64>(delta + at, 1);
        pattern = d1;
      } else {
        store<f64>(b + at, g0 + zk / Math.sqrt(gi11));
        store<f64>(alpha + at, 0);
        store<f64>(delta + at, 0);
        pattern = d0;
      }
    }
    for (let k = 0; k < t; k++) pendColumn(st, k, j, load<f64>(old + (<usize>k << 3)) - load<f64>(alpha + base + (<usize>k << 3)));
  }
  finishColumns(e, pitch, t, st);
}
