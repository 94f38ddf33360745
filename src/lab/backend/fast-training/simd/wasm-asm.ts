/**
 * A tiny WebAssembly assembler: just enough to write SIMD kernels that run on tfjs's own wasm heap without a
 * compiler toolchain. A module imports one memory (`env.memory`, the tfjs backend's: a plain one, or the shared one
 * of the threaded build) and exports functions built with {@link FuncBuilder}. Opcodes follow the WebAssembly core,
 * fixed-width SIMD and threads specifications.
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Core opcodes used by the kernels. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  drop: 0x1a,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  f64Add: 0xa0,
  f64PromoteF32: 0xbb,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const Simd = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  load32Lane: 0x56,
  load32Zero: 0x5c,
  load64Zero: 0x5d,
  const: 0x0c,
  shuffle: 0x0d,
  f32x4Splat: 0x13,
  f32x4Gt: 0x44,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  v128Or: 0x50,
  v128Bitselect: 0x52,
  f64x2PromoteLow: 0x5f,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
  f64x2Add: 0xf0,
} as const;

export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v !== 0 ? byte | 0x80 : byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** Builds one function body; locals are numbered after the parameters. */
export class FuncBuilder {
  readonly code: number[] = [];
  private readonly extraLocals: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.extraLocals.push(type);
    return this.params.length + this.extraLocals.length - 1;
  }

  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...immediates);
  }

  get(i: number): this {
    return this.op(Op.localGet, ...uleb(i));
  }
  set(i: number): this {
    return this.op(Op.localSet, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(Op.localTee, ...uleb(i));
  }
  i32(c: number): this {
    return this.op(Op.i32Const, ...sleb(c));
  }

  /** Memory access with a constant byte offset; the alignment hint is 4 bytes (tfjs only promises that). */
  private mem(opcode: number, simd: boolean, offset: number): this {
    const memarg = [2, ...uleb(offset)];
    return simd ? this.simd(opcode, ...memarg) : this.op(opcode, ...memarg);
  }
  i32Load(offset = 0): this {
    return this.mem(Op.i32Load, false, offset);
  }
  f32Load(offset = 0): this {
    return this.mem(Op.f32Load, false, offset);
  }
  f32Store(offset = 0): this {
    return this.mem(Op.f32Store, false, offset);
  }
  f64Load(offset = 0): this {
    return this.mem(Op.f64Load, false, offset);
  }
  f64Store(offset = 0): this {
    return this.mem(Op.f64Store, false, offset);
  }
  v128Load(offset = 0): this {
    return this.mem(Simd.load, true, offset);
  }
  v128Store(offset = 0): this {
    return this.mem(Simd.store, true, offset);
  }
  v128Splat32(offset = 0): this {
    return this.mem(Simd.load32Splat, true, offset);
  }
  v128Load32Zero(offset = 0): this {
    return this.mem(Simd.load32Zero, true, offset);
  }
  v128Load64Zero(offset = 0): this {
    return this.mem(Simd.load64Zero, true, offset);
  }
  /** Replaces lane `lane` of the vector on the stack (pushed after the address) with the float at the address. */
  v128Load32Lane(offset: number, lane: number): this {
    return this.simd(Simd.load32Lane, 2, ...uleb(offset), lane);
  }

  /** Loads `count` (1–4) floats into a vector, zeroing the lanes past them: never reads beyond the last float. */
  v128LoadPartial(address: () => void, offset: number, count: number): this {
    address();
    if (count === 4) return this.v128Load(offset);
    if (count === 1) return this.v128Load32Zero(offset);
    if (count === 2) return this.v128Load64Zero(offset);
    address();
    this.v128Load64Zero(offset);
    return this.v128Load32Lane(offset + 8, 2);
  }

  /**
   * `for (i = <start>; i < end; i += step) body` over i32 locals; `start` pushes the initial value, `step` is a
   * constant or `{ local }`.
   */
  forLoop(i: number, start: () => void, end: number, step: number | { local: number }, body: () => void): this {
    start();
    this.set(i);
    this.op(Op.block, 0x40, Op.loop, 0x40);
    this.get(i).get(end).op(Op.i32GeS, Op.brIf, 1);
    body();
    this.get(i);
    if (typeof step === 'number') this.i32(step);
    else this.get(step.local);
    this.op(Op.i32Add).set(i);
    this.op(Op.br, 0, Op.end, Op.end);
    return this;
  }

  /** `for (i = 0; i < count; i++) body` with a constant bound. */
  forCount(i: number, count: number, body: () => void): this {
    this.i32(0).set(i);
    this.op(Op.block, 0x40, Op.loop, 0x40);
    this.get(i).i32(count).op(Op.i32GeS, Op.brIf, 1);
    body();
    this.get(i).i32(1).op(Op.i32Add).set(i);
    this.op(Op.br, 0, Op.end, Op.end);
    return this;
  }

  /** `if (condition) body`, as a block left early when the pushed condition is zero. */
  when(condition: () => void, body: () => void): this {
    this.op(Op.block, 0x40);
    condition();
    this.op(Op.i32Eqz, Op.brIf, 0);
    body();
    return this.op(Op.end);
  }

  /** The function's code-section entry: locals (run-length encoded) and body. */
  encode(): number[] {
    const runs: number[][] = [];
    for (const type of this.extraLocals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    const locals = vec(runs.map(([n, t]) => [...uleb(n), t]));
    const body = [...locals, ...this.code, Op.end];
    return [...uleb(body.length), ...body];
  }
}

/** True for the shared memory of tfjs's threaded wasm build (a SharedArrayBuffer behind it). */
export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** The most pages a 32-bit memory can have; a shared import must state a maximum, and this one admits any. */
const MAX_PAGES = 65_536;

/**
 * Assembles a module that imports `env.memory` and exports every function by name. `shared` declares the import
 * as a shared memory (the threaded tfjs build's), which a plain import cannot bind to.
 */
export function assembleModule(funcs: readonly FuncBuilder[], shared = false): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];
  const types = vec(funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))]));
  const name = (s: string): number[] => [...uleb(utf8(s).length), ...utf8(s)];
  // One import: memory `env.memory`, at least 1 page; shared memories need the flag 3 (shared, with a maximum).
  const limits = shared ? [0x03, 0x01, ...uleb(MAX_PAGES)] : [0x00, 0x01];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const functions = vec(funcs.map((_, i) => uleb(i)));
  const exports = vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const code = vec(funcs.map((f) => f.encode()));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** Compiles `code` synchronously; null where that is refused or the code does not validate here (no SIMD). */
export function compileModule(code: Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  try {
    return WebAssembly.validate(code) ? new WebAssembly.Module(code) : null;
  } catch {
    // E.g. a main thread refusing synchronous compilation: the callers fall back to plain kernels.
    return null;
  }
}

/**
 * Compiles `bytes(shared)` once per memory kind and binds an instance to each memory it is asked for (cached per
 * memory); null where the module cannot run there (no wasm SIMD). Compilation is synchronous: every module here
 * stays under the 4 KB browsers allow on the main thread. `modules(shared)` hands the compiled module to a thread
 * pool that instantiates it on the same memory.
 */
export function moduleBinder<T>(
  bytes: (shared: boolean) => Uint8Array<ArrayBuffer>,
  wrap: (exports: WebAssembly.Exports) => T,
) {
  const compiled = new Map<boolean, WebAssembly.Module | null>();
  const bound = new WeakMap<WebAssembly.Memory, T | null>();
  const moduleFor = (shared: boolean): WebAssembly.Module | null => {
    if (!compiled.has(shared)) compiled.set(shared, compileModule(bytes(shared)));
    return compiled.get(shared) ?? null;
  };
  const bind = (memory: WebAssembly.Memory): T | null => {
    if (bound.has(memory)) return bound.get(memory) ?? null;
    const module = moduleFor(isSharedMemory(memory));
    const result = module == null ? null : wrap(new WebAssembly.Instance(module, { env: { memory } }).exports);
    bound.set(memory, result);
    return result;
  };
  return Object.assign(bind, { module: moduleFor });
}
