/**
 * One shared WebAssembly memory per model: the packed genotypes of every marker set (written once,
 * read by every chain), and a slot of scratch and state per chain (the residual, the marker effects and
 * their prior's arrays). Every worker thread's kernel instance imports this memory, so the genotypes
 * exist once per process; the memory travels to workers with the design (structured clone shares it).
 *
 * Layout: bytes 0–8191 hold the kernels' byte table (256 entries of four f64: the values of four 2-bit
 * codes; code 3, missing, reads 0), bytes 8192–8447 the nibble table (16 entries of two f64); bytes
 * 8448–8451 the allocation top, 8452–8455 the number of scaled tables claimed; bytes 16384–81919 the
 * scaled tables, 256 of 256 bytes (a kernel instance's scratch, one per thread: see claimScaledTable);
 * allocations start at 81920. Allocation is a lock-free bump of the top (Atomics), growing the memory
 * when needed; nothing is freed (a model's memory goes with the model).
 */

/** A model's shared memory. Plain data, so that it can be posted to workers. */
export interface Arena {
  readonly memory: WebAssembly.Memory;
}

const PAGE = 65536;
const NIBBLES = 8192;
const TOP = 8448;
const CLAIMED = 8452;
const TABLES = 16384;
const TABLE_BYTES = 256;
const TABLE_SLOTS = 256;
const FIRST = TABLES + TABLE_SLOTS * TABLE_BYTES;
/** wasm32 addresses at most 4 GiB. */
const MAX_PAGES = 65536;

/** The value of each 2-bit code: 0, 1, 2, and 0 for missing (3). */
const CODE_VALUE = [0, 1, 2, 0];

/** A new arena with at least `bytes` free. */
export function createArena(bytes = 0): Arena {
  const pages = Math.max(1, Math.ceil((FIRST + bytes) / PAGE));
  if (pages > MAX_PAGES) throw new RangeError(`the model needs ${bytes} bytes of shared memory; WebAssembly allows 4 GiB`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
  const byteTable = new Float64Array(memory.buffer, 0, 1024);
  for (let b = 0; b < 256; b++) for (let k = 0; k < 4; k++) byteTable[4 * b + k] = CODE_VALUE[(b >> (2 * k)) & 3];
  const nibbles = new Float64Array(memory.buffer, NIBBLES, 32);
  for (let k = 0; k < 16; k++) {
    nibbles[2 * k] = CODE_VALUE[k & 3];
    nibbles[2 * k + 1] = CODE_VALUE[k >> 2];
  }
  Atomics.store(new Int32Array(memory.buffer, TOP, 1), 0, FIRST);
  return { memory };
}

/**
 * A scaled table of its own for a new kernel instance over `memory` (a thread's): its offset, or −1
 * when all 256 are taken. Instances never give theirs back; one per thread per model is what they use.
 */
export function claimScaledTable(memory: WebAssembly.Memory): number {
  const slot = Atomics.add(new Int32Array(memory.buffer, CLAIMED, 1), 0, 1);
  return slot < TABLE_SLOTS ? TABLES + slot * TABLE_BYTES : -1;
}

/** `bytes` of the arena, aligned to `align` (a power of two); returns their offset. Safe from any thread. */
export function allocate(arena: Arena, bytes: number, align = 64): number {
  const top = new Int32Array(arena.memory.buffer, TOP, 1);
  for (;;) {
    const at = Atomics.load(top, 0);
    const start = (at + align - 1) & ~(align - 1);
    const end = start + bytes;
    if (end > MAX_PAGES * PAGE - 1) throw new RangeError(`the model's shared memory would exceed WebAssembly's 4 GiB (${end} bytes)`);
    if (Atomics.compareExchange(top, 0, at, end) !== at) continue;
    while (arena.memory.buffer.byteLength < end) arena.memory.grow(Math.ceil((end - arena.memory.buffer.byteLength) / PAGE));
    return start;
  }
}

/** A Float64Array of `length` values at `offset`. */
export function f64At(arena: Arena, offset: number, length: number): Float64Array {
  return new Float64Array(arena.memory.buffer, offset, length);
}

/** An Int32Array of `length` values at `offset`. */
export function i32At(arena: Arena, offset: number, length: number): Int32Array {
  return new Int32Array(arena.memory.buffer, offset, length);
}

/** A Uint8Array of `length` bytes at `offset`. */
export function u8At(arena: Arena, offset: number, length: number): Uint8Array {
  return new Uint8Array(arena.memory.buffer, offset, length);
}

/** A new zeroed Float64Array of `length` values in the arena. */
export function allocateF64(arena: Arena, length: number): { offset: number; view: Float64Array } {
  const offset = allocate(arena, Math.max(8, length * 8));
  return { offset, view: f64At(arena, offset, length) };
}
