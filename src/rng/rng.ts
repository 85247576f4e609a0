import seedrandom from 'seedrandom';

/** Length of the saved state of an {@link Rng}: xor4096's 128 words, then its index and Weyl word. */
export const RNG_STATE_LENGTH = 130;

/**
 * A source of uniforms. Every random draw in mixmc goes through one of these, passed explicitly;
 * there is no global generator (Math.random is never used).
 */
export interface UniformSource {
  /** A uniform draw on the open interval (0, 1), with 53 bits of precision. */
  uniform(): number;
}

/** A uniform source that also draws uniforms and standard normals in bulk (the marker sweeps use p of each per sweep). */
export interface RandomSource extends UniformSource {
  /** out[0 .. count) ← the next `count` uniforms. Mutates: out. */
  uniforms(out: Float64Array, count?: number): void;
  /** out[0 .. count) ← `count` standard normals. Mutates: out. */
  normals(out: Float64Array, count?: number): void;
}

interface Xor4096State {
  X: number[];
  i: number;
  w: number;
}

/**
 * A per-chain uniform stream: R. P. Brent's xorgens xor4096 (4096 bits of state, period 2^4096 − 1,
 * combined with a Weyl sequence; Brent 2010, "Some long-period random number generators using
 * shifts and xors", arXiv:1004.3115), keyed by seedrandom's key schedule and read 53 bits at a time.
 * The generator itself runs here on an Int32Array, as seedrandom's xor4096 runs it (same words, same
 * doubles), so that uniforms and normals can be drawn in bulk without a call per word. Its state can
 * be saved as a Uint32Array and restored, so a chain can stop and continue with bit-identical draws.
 */
export class Rng implements RandomSource {
  /** The generator's state in saveState's layout: xor4096's 128 words, its index, its Weyl word. */
  private readonly S = new Int32Array(RNG_STATE_LENGTH);

  /** A stream at `words` (saveState's layout). */
  private constructor(words: ArrayLike<number>) {
    this.load(words);
  }

  /** A stream seeded by an arbitrary string (seedrandom's xor4096 key schedule mixes all of it). */
  static fromKey(key: string): Rng {
    const gen = seedrandom.xor4096(key, { state: true }) as unknown as { state(): Xor4096State };
    const { X, i, w } = gen.state();
    return new Rng([...X, i, w]);
  }

  /** A stream restored from {@link Rng.saveState}. */
  static fromState(state: Uint32Array): Rng {
    if (state.length !== RNG_STATE_LENGTH) throw new Error(`RNG state must have ${RNG_STATE_LENGTH} words, got ${state.length}`);
    return new Rng(state);
  }

  uniform(): number {
    for (;;) {
      const result = unitDouble(this.S);
      if (result !== 0) return result;
    }
  }

  /** out[0 .. count) ← the next `count` uniforms of the stream (exactly what `count` calls of uniform() give). Mutates: out. */
  uniforms(out: Float64Array, count = out.length): void {
    const S = this.S;
    let k = 0;
    while (k < count) {
      const u = unitDouble(S);
      if (u !== 0) out[k++] = u;
    }
  }

  /**
   * out[0 .. count) ← standard normals by the ziggurat method with Doornik's (2005, "An improved
   * ziggurat method to generate normal random samples") correction: a uniform on (−1, 1) from 53 bits
   * and a layer from 7 bits of a third word, so that the value and the layer are independent; exact
   * (the wedges and the tail beyond R are rejection-sampled). About three words per normal.
   * Mutates: out.
   */
  normals(out: Float64Array, count = out.length): void {
    let k = 0;
    for (;;) {
      k = zigguratRectangles(this.S, out, k, count);
      if (k === count) return;
      // the rare cases (about 1.2%): the wedges and the tail
      const z = this.zigguratEdge(EDGE[0], EDGE[1]);
      if (!Number.isNaN(z)) out[k++] = z;
    }
  }

  /** The ziggurat outside the rectangles: the tail beyond R (layer 0) or a wedge; NaN when rejected. */
  private zigguratEdge(u: number, layer: number): number {
    if (layer === 0) {
      // Marsaglia's (1964) tail: x = −log(U1)/R, accepted when −2 log U2 ≥ x²
      for (;;) {
        const x = Math.log(this.uniform()) / ZIG_RADIUS;
        const y = Math.log(this.uniform());
        if (-2 * y >= x * x) return u < 0 ? x - ZIG_RADIUS : ZIG_RADIUS - x;
      }
    }
    const x = u * ZIG_X[layer];
    const f0 = Math.exp(-0.5 * (ZIG_X[layer] * ZIG_X[layer] - x * x));
    const f1 = Math.exp(-0.5 * (ZIG_X[layer + 1] * ZIG_X[layer + 1] - x * x));
    return f1 + this.uniform() * (f0 - f1) < 1 ? x : NaN;
  }

  /** The full generator state as 130 unsigned words (see {@link RNG_STATE_LENGTH}). */
  saveState(): Uint32Array {
    const out = new Uint32Array(RNG_STATE_LENGTH);
    this.store(out);
    return out;
  }

  /**
   * out[0 .. 130) ← the generator state as unsigned words (a Float64Array holds them exactly, so a
   * chain state can carry a stream and checkpoint it with its other arrays). Mutates: out.
   */
  store(out: Float64Array | Uint32Array): void {
    for (let k = 0; k < RNG_STATE_LENGTH; k++) out[k] = this.S[k] >>> 0;
  }

  /** Continue from a state written by {@link Rng.store} (no allocation). Mutates: this. */
  load(words: ArrayLike<number>): void {
    for (let k = 0; k < 128; k++) this.S[k] = words[k] | 0;
    this.S[128] = words[128] & 127;
    this.S[129] = words[129] | 0;
  }
}

/**
 * The next 32-bit word of the generator whose state is S (Rng's layout), as seedrandom's xor4096
 * next() computes it. The state lives in one Int32Array, not in fields, so that the bulk draws'
 * loops keep it in typed-array loads and stores (~12% faster). Mutates: S.
 */
function nextWord(S: Int32Array): number {
  const w = (S[129] + 0x61c88647) | 0;
  S[129] = w;
  const i0 = S[128];
  let v = S[(i0 + 34) & 127];
  const i = (i0 + 1) & 127;
  let t = S[i];
  v ^= v << 13;
  t ^= t << 17;
  v ^= v >>> 15;
  t ^= t >>> 12;
  v = v ^ t;
  S[i] = v;
  S[128] = i;
  return (v + (w ^ (w >>> 16))) | 0;
}

/** A double in [0, 1) from 53 bits of the next two words, 21 of the first and 32 of the second (seedrandom's double()). Mutates: S. */
function unitDouble(S: Int32Array): number {
  const top = nextWord(S) >>> 11;
  return (top + (nextWord(S) >>> 0) / 0x100000000) / (1 << 21);
}

/** Where zigguratRectangles leaves the draw (u, layer) that fell outside the rectangles. */
const EDGE = new Float64Array(2);

/**
 * out[k ..) ← normals inside the ziggurat's rectangles, until out[count − 1] or until a draw falls
 * outside them (then EDGE holds its u and layer); returns the next k. Its own function, so that the
 * rare path is not in this loop (~13% faster). Mutates: S, out, EDGE.
 */
function zigguratRectangles(S: Int32Array, out: Float64Array, k: number, count: number): number {
  const ZX = ZIG_X;
  const ZR = ZIG_R;
  while (k < count) {
    // u ∈ (0, 1) as uniform() draws it (two words), then a third word for the layer
    const u01 = unitDouble(S);
    const layer = nextWord(S) & 127;
    if (u01 === 0) continue;
    const u = 2 * u01 - 1;
    if (Math.abs(u) >= ZR[layer]) {
      EDGE[0] = u;
      EDGE[1] = layer;
      return k;
    }
    out[k++] = u * ZX[layer];
  }
  return k;
}

/** The ziggurat's 128 layers (Marsaglia & Tsang 2000; Doornik 2005): R and the area V of each layer. */
const ZIG_LAYERS = 128;
const ZIG_RADIUS = 3.442619855899;
const ZIG_AREA = 9.91256303526217e-3;
/** x-coordinates of the layers' right edges (ZIG_X[0] = V/f(R), the base layer's width) and their ratios. */
const ZIG_X = new Float64Array(ZIG_LAYERS + 1);
const ZIG_R = new Float64Array(ZIG_LAYERS);
{
  let f = Math.exp(-0.5 * ZIG_RADIUS * ZIG_RADIUS);
  ZIG_X[0] = ZIG_AREA / f;
  ZIG_X[1] = ZIG_RADIUS;
  ZIG_X[ZIG_LAYERS] = 0;
  for (let i = 2; i < ZIG_LAYERS; i++) {
    ZIG_X[i] = Math.sqrt(-2 * Math.log(ZIG_AREA / ZIG_X[i - 1] + f));
    f = Math.exp(-0.5 * ZIG_X[i] * ZIG_X[i]);
  }
  for (let i = 0; i < ZIG_LAYERS; i++) ZIG_R[i] = ZIG_X[i + 1] / ZIG_X[i];
}

/**
 * The stream of chain `chain` (0-based) in a run with seed `seed`: xor4096 keyed by the string
 * `mixmc:<seed>:<chain>`. Different keys go through xor4096's full key schedule (every character
 * is mixed into the 4096-bit state and the first 512 outputs are discarded), so the chains of one
 * run, and the runs of different seeds, are separate streams; the same (seed, chain) always gives
 * the same stream.
 *
 * @example
 * const a = chainRng(1, 0).uniform();
 * const b = chainRng(1, 0).uniform();
 * // a === b, and chainRng(1, 1) gives another stream
 */
export function chainRng(seed: number, chain: number): Rng {
  return Rng.fromKey(chainKey(seed, chain));
}

/** The key string of {@link chainRng}; exported so the documentation can be checked by a test. */
export function chainKey(seed: number, chain: number): string {
  if (!Number.isInteger(seed) || !Number.isInteger(chain) || chain < 0) {
    throw new Error(`chainRng needs an integer seed and a chain index >= 0 (got ${seed}, ${chain})`);
  }
  return `mixmc:${seed}:${chain}`;
}
