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

interface Xor4096State {
  X: number[];
  i: number;
  w: number;
}
interface Xor4096 {
  double(): number;
  state(): Xor4096State;
}

/**
 * A per-chain uniform stream: seedrandom's xor4096 (R. P. Brent's xorgens, 4096 bits of state,
 * period 2^4096 − 1) read 53 bits at a time. Its state can be saved as a Uint32Array and restored,
 * so a chain can stop and continue with bit-identical draws.
 */
export class Rng implements UniformSource {
  private gen: Xor4096;

  private constructor(gen: Xor4096) {
    this.gen = gen;
  }

  /** A stream seeded by an arbitrary string (seedrandom's key schedule mixes all of it). */
  static fromKey(key: string): Rng {
    return new Rng(seedrandom.xor4096(key, { state: true }) as unknown as Xor4096);
  }

  /** A stream restored from {@link Rng.saveState}. */
  static fromState(state: Uint32Array): Rng {
    if (state.length !== RNG_STATE_LENGTH) throw new Error(`RNG state must have ${RNG_STATE_LENGTH} words, got ${state.length}`);
    const X = Array.from(state.subarray(0, 128), (v) => v | 0);
    const saved: Xor4096State = { X, i: state[128] | 0, w: state[129] | 0 };
    return new Rng(seedrandom.xor4096('', { state: saved as unknown as true }) as unknown as Xor4096);
  }

  uniform(): number {
    return this.gen.double();
  }

  /** The full generator state as 130 unsigned words (see {@link RNG_STATE_LENGTH}). */
  saveState(): Uint32Array {
    const s = this.gen.state();
    const out = new Uint32Array(RNG_STATE_LENGTH);
    for (let k = 0; k < 128; k++) out[k] = s.X[k] >>> 0;
    out[128] = s.i >>> 0;
    out[129] = s.w >>> 0;
    return out;
  }
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
