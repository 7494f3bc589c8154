/**
 * The seedable generator behind rand, randn, uniform_, normal_ and dropout: a Mersenne Twister
 * (MT19937, the engine PyTorch's CPU generator uses) seeded with `manualSeed`.
 * @example const g = new torch.Generator(0); torch.rand(2, { generator: g })
 */
export class Generator {
  private readonly mt = new Uint32Array(624);
  private index = 625;
  private spareNormal: number | null = null;
  private seedValue = 0;

  constructor(seed = 5489) {
    this.manualSeed(seed);
  }

  /**
   * Restarts the sequence from `seed`.
   * @example torch.manualSeed(0); torch.rand(2) // the same values every run
   */
  manualSeed(seed: number): this {
    this.seedValue = seed >>> 0;
    this.mt[0] = this.seedValue;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = 624;
    this.spareNormal = null;
    return this;
  }

  /**
   * The seed last set.
   * @example new torch.Generator(7).initialSeed() // 7
   */
  initialSeed(): number {
    return this.seedValue;
  }

  /**
   * Next raw 32-bit output.
   * @example new torch.Generator(5489).nextUint32() // 3499211612, MT19937's first output
   */
  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Uniform in [0, 1) with 24 random bits, as PyTorch draws float32 values.
   * @example new torch.Generator(0).nextFloat() // a number in [0, 1)
   */
  nextFloat(): number {
    return (this.nextUint32() & 0xffffff) / 16777216;
  }

  /**
   * Uniform in [0, 1) with 53 random bits, built from two draws as PyTorch's `random64()`.
   * @example new torch.Generator(0).nextDouble() // a number in [0, 1)
   */
  nextDouble(): number {
    const hi = this.nextUint32() & 0x1fffff;
    const lo = this.nextUint32();
    return (hi * 4294967296 + lo) / 9007199254740992;
  }

  /**
   * Standard normal sample (Box-Muller on 53-bit uniforms, caching the second value).
   * @example new torch.Generator(0).nextNormal()
   */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const u1 = this.nextDouble();
    const u2 = this.nextDouble();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * Fills `out` with samples from U[from, to) exactly as PyTorch's CPU `uniform_` computes them:
   * float32 arrays take 24-bit uniforms and bounds rounded to float32, float64 arrays 53-bit
   * uniforms; both as one fused multiply-add, so seeded results are bit-identical.
   * @example torch.defaultGenerator.fillUniform(new Float32Array(4), -1, 1)
   */
  fillUniform(out: Float32Array | Float64Array, from = 0, to = 1): void {
    if (out instanceof Float64Array) {
      const range = to - from;
      for (let i = 0; i < out.length; i++) out[i] = fusedMulAdd(this.nextDouble(), range, from);
      return;
    }
    const lo = Math.fround(from);
    const range = Math.fround(Math.fround(to) - lo);
    // u·range is exact in double (24-bit by 24-bit), so rounding u·range + lo once to float32 is
    // the float32 fused multiply-add of PyTorch's compiled kernel.
    for (let i = 0; i < out.length; i++) out[i] = this.nextFloat() * range + lo;
  }

  /**
   * Fills `out` with normal samples in the order PyTorch's CPU generator produces them, so that
   * `manualSeed(s); randn(...)` gives PyTorch's values: 16 or more elements are drawn as uniforms
   * and transformed 16 at a time (the tail block is redrawn), fewer are drawn one by one.
   * @example torch.defaultGenerator.fillNormal(new Float32Array(20), 0, 1)
   */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    const n = out.length;
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.nextNormal() * std + mean;
      return;
    }
    const uniform = out instanceof Float64Array ? () => this.nextDouble() : () => this.nextFloat();
    for (let i = 0; i < n; i++) out[i] = uniform();
    const block = (start: number) => {
      for (let j = 0; j < 8; j++) {
        const u1 = 1 - out[start + j]!;
        const u2 = out[start + j + 8]!;
        const radius = Math.sqrt(-2 * Math.log(u1));
        const theta = 2 * Math.PI * u2;
        out[start + j] = radius * Math.cos(theta) * std + mean;
        out[start + j + 8] = radius * Math.sin(theta) * std + mean;
      }
    };
    for (let i = 0; i + 16 <= n; i += 16) block(i);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) out[i] = uniform();
      block(n - 16);
    }
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % 624]! & 0x7fffffff);
      let v = mt[(i + 397) % 624]! ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v >>> 0;
    }
    this.index = 0;
  }
}

/**
 * The generator used when none is passed.
 * @example torch.defaultGenerator.initialSeed() // 5489 until `torch.manualSeed` is called
 */
export const defaultGenerator = new Generator(5489);

/**
 * Seeds the default generator, like `torch.manual_seed`.
 * @example torch.manualSeed(42)
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** x·y + z rounded once (Dekker's exact product plus a compensated sum), as C's fma. */
function fusedMulAdd(x: number, y: number, z: number): number {
  const p = x * y;
  const split = (v: number): [number, number] => {
    const c = 134217729 * v;
    const hi = c - (c - v);
    return [hi, v - hi];
  };
  const [xh, xl] = split(x);
  const [yh, yl] = split(y);
  const productError = xh * yh - p + xh * yl + xl * yh + xl * yl;
  const s = p + z;
  const b = s - p;
  const sumError = p - (s - b) + (z - b);
  return s + (sumError + productError);
}
