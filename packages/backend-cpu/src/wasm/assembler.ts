/**
 * A tiny WebAssembly assembler: just the instructions and sections the CPU kernels need, so the
 * kernels' bytes are generated from readable TypeScript with no compiler toolchain. Functions
 * take i32 parameters, use i32/v128 locals, and share one imported memory (`env.memory`).
 */

/** Value types used by the kernels: `i32`. */
export const I32 = 0x7f;
/** Value type `v128` (SIMD). */
export const V128 = 0x7b;

/**
 * Unsigned LEB128.
 * @example uleb(624485) // [0xe5, 0x8e, 0x26]
 */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/**
 * Signed LEB128 (for i32.const).
 * @example sleb(-123456) // [0xc0, 0xbb, 0x78]
 */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * Builds one function body instruction by instruction.
 * @example new Code().get(0).get(1).add() // the body of (a, b) => a + b, less its result type
 */
export class Code {
  /** The encoded instructions so far. */
  readonly bytes: number[] = [];

  private simd(op: number, ...imm: number[]): this {
    this.bytes.push(0xfd, ...uleb(op), ...imm);
    return this;
  }

  /** `local.get`. */
  get(local: number): this {
    this.bytes.push(0x20, ...uleb(local));
    return this;
  }
  /** `local.set`. */
  set(local: number): this {
    this.bytes.push(0x21, ...uleb(local));
    return this;
  }
  /** `i32.const`. */
  i32(value: number): this {
    this.bytes.push(0x41, ...sleb(value));
    return this;
  }
  /** `i32.add`. */
  add(): this {
    this.bytes.push(0x6a);
    return this;
  }
  /** `i32.sub`. */
  sub(): this {
    this.bytes.push(0x6b);
    return this;
  }
  /** `i32.mul`. */
  mul(): this {
    this.bytes.push(0x6c);
    return this;
  }
  /** `block` … `end` (void). */
  block(body: (c: this) => void): this {
    this.bytes.push(0x02, 0x40);
    body(this);
    this.bytes.push(0x0b);
    return this;
  }
  /** `loop` … `end` (void); `brIf(0)` inside jumps back to the start. */
  loop(body: (c: this) => void): this {
    this.bytes.push(0x03, 0x40);
    body(this);
    this.bytes.push(0x0b);
    return this;
  }
  /** `if` … `else` … `end` (void) on the i32 on the stack. */
  ifElse(then: (c: this) => void, otherwise: (c: this) => void): this {
    this.bytes.push(0x04, 0x40);
    then(this);
    this.bytes.push(0x05);
    otherwise(this);
    this.bytes.push(0x0b);
    return this;
  }
  /** `br_if` to the enclosing block or loop `depth` levels out. */
  brIf(depth: number): this {
    this.bytes.push(0x0d, ...uleb(depth));
    return this;
  }
  /** `local += value` for an i32 local (e.g. a pointer stepping on). */
  addTo(local: number, value: number): this {
    return this.get(local).i32(value).add().set(local);
  }
  /** The tail of a counted loop: decrements the i32 `local` and repeats the loop while it is not 0. */
  countDown(local: number): this {
    return this.get(local).i32(1).sub().set(local).get(local).brIf(0);
  }
  /** v128.load with a byte offset (align 16 not assumed). */
  v128Load(offset = 0): this {
    return this.simd(0x00, 0, ...uleb(offset));
  }
  /** v128.store with a byte offset (align 16 not assumed). */
  v128Store(offset = 0): this {
    return this.simd(0x0b, 0, ...uleb(offset));
  }
  /** Loads one f32 and splats it to all four lanes. */
  load32Splat(offset = 0): this {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  /** A v128 of zeros (`v128.const 0`). */
  v128Zero(): this {
    return this.simd(0x0c, ...new Array(16).fill(0));
  }
  /** `f32x4.add`. */
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  /** `f32x4.mul`. */
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /**
   * `f32x4.relaxed_madd` (relaxed SIMD): a·b + c, fused where the hardware has FMA. Only in
   * modules for runtimes where {@link relaxedSimdAvailable} is true.
   */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }
  /**
   * acc + a·b for the v128 locals `acc`, `a`, `b`, pushed: one fused multiply-add when `fused`
   * (relaxed SIMD), else a multiply and an add.
   */
  madd(acc: number, a: number, b: number, fused: boolean): this {
    if (fused) return this.get(a).get(b).get(acc).f32x4RelaxedMadd();
    return this.get(acc).get(a).get(b).f32x4Mul().f32x4Add();
  }
}

/**
 * True when this runtime compiles relaxed SIMD (`f32x4.relaxed_madd`): Node 22 and later; Node 20
 * only behind --experimental-wasm-relaxed-simd.
 * @example const fused = relaxedSimdAvailable()
 */
export function relaxedSimdAvailable(): boolean {
  const code = new Code().get(0).get(0).get(0).f32x4RelaxedMadd();
  const body = [0, ...code.bytes, 0x0b];
  const type = [0x60, 1, V128, 1, V128];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([type])),
    ...section(3, vec([[0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ];
  return WebAssembly.validate(new Uint8Array(bytes));
}

/** One exported function: its i32 parameter count, extra locals by type, and body. */
export interface FunctionDef {
  /** Export name. */
  name: string;
  /** Number of i32 parameters (locals 0 … params - 1). */
  params: number;
  /** Further locals, in runs of `count` of one value type, numbered after the parameters. */
  locals: { type: number; count: number }[];
  /** The body (its final `end` is added by `assemble`). */
  code: Code;
}

/**
 * A module importing `env.memory` (at least `minPages` 64 KiB pages) and exporting `functions`.
 * @example new WebAssembly.Module(assemble([gemmF32(), outerF32()]))
 */
export function assemble(functions: readonly FunctionDef[], minPages = 1): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(new Array(f.params).fill([I32])), 0]);
  const imports = vec([[...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(minPages)]]);
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exports = vec(functions.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]));
  const bodies = vec(
    functions.map((f) => {
      const body = [...vec(f.locals.map((l) => [...uleb(l.count), l.type])), ...f.code.bytes, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, bodies),
  ]);
}
