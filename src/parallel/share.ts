/**
 * Moving the design into SharedArrayBuffers: built once in the main thread, then every worker gets
 * views of the same memory (structured clone shares SharedArrayBuffers instead of copying them).
 */
import type { SparseSym } from '../linalg/sparse.js';
import type { Covariance } from '../model/covariance.js';
import type { Design } from '../model/design.js';

type Typed = Float64Array | Float32Array | Int32Array | Int8Array | Uint8Array | Uint32Array;

/** A copy of a typed array backed by a SharedArrayBuffer (the array itself when it already is). */
export function shared<T extends Typed>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  out.set(a as never);
  return out;
}

function sharedSparse(a: SparseSym): SparseSym {
  return { n: a.n, rowPtr: shared(a.rowPtr), colIdx: shared(a.colIdx), values: shared(a.values) };
}

function sharedCovariance(c: Covariance): Covariance {
  return { ...c, kinv: sharedSparse(c.kinv), diagK: shared(c.diagK), ...(c.inbreeding ? { inbreeding: shared(c.inbreeding) } : {}) };
}

/** The design with every typed array (y, X, the level maps, K⁻¹ of every covariance) in shared memory; the marker sets' genotypes are in the arena, shared already. */
export function shareDesign(d: Design): Design {
  return {
    ...d,
    y: shared(d.y),
    fixed: {
      ...d.fixed,
      colPtr: shared(d.fixed.colPtr),
      rowIdx: shared(d.fixed.rowIdx),
      vals: shared(d.fixed.vals),
      xtx: shared(d.fixed.xtx),
      xtxChol: shared(d.fixed.xtxChol),
    },
    random: d.random.map((r) => ({ ...r, level: shared(r.level), count: shared(r.count), ...(r.cov ? { cov: sharedCovariance(r.cov) } : {}) })),
    predict: { ...d.predict, x: shared(d.predict.x), level: d.predict.level.map(shared) },
  };
}
