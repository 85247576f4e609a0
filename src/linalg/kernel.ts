/**
 * The marker sweep kernels: WebAssembly SIMD (wasm/sweep.as.ts, embedded as base64 in wasm/binary.ts)
 * and its plain-JS twin (sweepJs.ts), which give the same bits. Every argument is a byte offset into the
 * model's shared memory (arena.ts) or a number; the sweeps' mathematics is documented in sweep.as.ts.
 */
import { jsKernel } from './sweepJs.js';
import type { SweepKernel } from './sweepKernel.js';

export type { SweepKernel };
import { SWEEP_WASM } from './wasm/binary.js';

/** The kernel a run uses: WebAssembly SIMD, or the JS fallback. */
export type KernelName = 'wasm' | 'js';

let moduleCache: WebAssembly.Module | null | undefined;

/** The compiled kernel module, or null when this runtime cannot run it (no WebAssembly SIMD or threads). */
function wasmModule(): WebAssembly.Module | null {
  if (moduleCache !== undefined) return moduleCache;
  try {
    const bytes = Uint8Array.from(atob(SWEEP_WASM), (c) => c.charCodeAt(0));
    moduleCache = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    moduleCache = null;
  }
  return moduleCache;
}

/** Whether this runtime runs the WebAssembly SIMD kernel. */
export function wasmSimdAvailable(): boolean {
  return wasmModule() !== null;
}

/** The kernel for `requested`: 'auto' is the wasm kernel where the runtime has SIMD, else JS; 'wasm' without SIMD is an error. */
export function resolveKernel(requested: 'auto' | KernelName): KernelName {
  if (requested === 'js') return 'js';
  if (wasmSimdAvailable()) return 'wasm';
  if (requested === 'wasm') throw new Error('this runtime has no WebAssembly SIMD: use "kernel": "js" (or "auto")');
  return 'js';
}

const instances = new WeakMap<WebAssembly.Memory, Map<KernelName, SweepKernel>>();

/** The kernel `name` over `memory`, one instance per memory and thread. */
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
      const module = wasmModule();
      if (!module) throw new Error('this runtime has no WebAssembly SIMD');
      const instance = new WebAssembly.Instance(module, { env: { memory, log: Math.log } });
      k = instance.exports as unknown as SweepKernel;
    }
    byName.set(name, k);
  }
  return k;
}
