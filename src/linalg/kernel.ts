/**
 * The marker sweep kernels: WebAssembly SIMD (wasm/sweep.as.ts, embedded as base64 in wasm/binary.ts)
 * and its plain-JS twin (sweepJs.ts), which give the same bits. Every argument is a byte offset into the
 * model's shared memory (arena.ts) or a number; the sweeps' mathematics is documented in sweep.as.ts.
 * Each wasm instance (one per memory and thread) is compiled from its own copy of the binary, with the
 * scaled table's placeholder address moved to a table of the memory that it alone uses.
 */
import { claimScaledTable } from './arena.js';
import { jsKernel } from './sweepJs.js';
import type { SweepKernel } from './sweepKernel.js';

export type { SweepKernel };
import { SCALED_PLACEHOLDER, SCALED_SITES, SWEEP_WASM } from './wasm/binary.js';

/** The kernel a run uses: WebAssembly SIMD, or the JS fallback. */
export type KernelName = 'wasm' | 'js';

let binaryCache: Uint8Array | null | undefined;

/** The kernel binary (its scaled table at the placeholder), or null when this runtime cannot run it (no WebAssembly SIMD or threads). */
function wasmBinary(): Uint8Array | null {
  if (binaryCache !== undefined) return binaryCache;
  try {
    const bytes = Uint8Array.from(atob(SWEEP_WASM), (c) => c.charCodeAt(0));
    binaryCache = WebAssembly.validate(bytes) ? bytes : null;
  } catch {
    binaryCache = null;
  }
  return binaryCache;
}

/** Whether this runtime runs the WebAssembly SIMD kernel. */
export function wasmSimdAvailable(): boolean {
  return wasmBinary() !== null;
}

/** A copy of `binary` whose scaled table is at `table`: each 5-byte LEB128 site moved by table − placeholder. */
function withTableAt(binary: Uint8Array, table: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(binary);
  for (const at of SCALED_SITES) {
    let v = 0;
    for (let k = 0; k < 5; k++) v += (bytes[at + k] & 0x7f) * 2 ** (7 * k);
    v += table - SCALED_PLACEHOLDER;
    for (let k = 0; k < 4; k++) bytes[at + k] = 0x80 | (Math.floor(v / 2 ** (7 * k)) & 0x7f);
    bytes[at + 4] = Math.floor(v / 2 ** 28);
  }
  return bytes;
}

/** The kernel for `requested`: 'auto' is the wasm kernel where the runtime has SIMD, else JS; 'wasm' without SIMD is an error. */
export function resolveKernel(requested: 'auto' | KernelName): KernelName {
  if (requested === 'js') return 'js';
  if (wasmSimdAvailable()) return 'wasm';
  if (requested === 'wasm') throw new Error('this runtime has no WebAssembly SIMD: use "kernel": "js" (or "auto")');
  return 'js';
}

const instances = new WeakMap<WebAssembly.Memory, Map<KernelName, SweepKernel>>();

/**
 * The kernel `name` over `memory`, one instance per memory and thread. A wasm instance needs a scaled
 * table of its own; past the 256th thread on one memory there is none, and the JS twin (the same
 * bits, slower) serves instead.
 */
export function sweepKernel(memory: WebAssembly.Memory, name: KernelName): SweepKernel {
  let byName = instances.get(memory);
  if (!byName) {
    byName = new Map();
    instances.set(memory, byName);
  }
  let k = byName.get(name);
  if (!k) {
    if (name === 'js') {
      k = jsKernel(memory);
    } else {
      const binary = wasmBinary();
      if (!binary) throw new Error('this runtime has no WebAssembly SIMD');
      const table = claimScaledTable(memory);
      if (table < 0) {
        k = jsKernel(memory);
      } else {
        const instance = new WebAssembly.Instance(new WebAssembly.Module(withTableAt(binary, table)), { env: { memory } });
        k = instance.exports as unknown as SweepKernel;
      }
    }
    byName.set(name, k);
  }
  return k;
}
