import type { UniformSource } from '../../src/rng/rng.js';

/** Wraps a source and records every uniform it hands out. */
export class RecordingRng implements UniformSource {
  readonly drawn: number[] = [];
  constructor(private readonly inner: UniformSource) {}
  uniform(): number {
    const u = this.inner.uniform();
    this.drawn.push(u);
    return u;
  }
}

/** Hands out a fixed sequence of uniforms, and fails loudly when it runs out. */
export class ReplayRng implements UniformSource {
  private k = 0;
  constructor(private readonly seq: readonly number[]) {}
  uniform(): number {
    if (this.k >= this.seq.length) throw new Error('replay sequence exhausted');
    return this.seq[this.k++];
  }
  get used(): number {
    return this.k;
  }
}
