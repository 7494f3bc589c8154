import { describe, expect, it } from 'vitest';
import {
  bfloat16ToFloat32,
  float32ToBfloat16Bits,
  float32ToHalfBits,
  halfToFloat32,
} from '../src/formats/half.js';
import { json, num } from './formats-fixtures.js';

interface HalfFixture {
  f32: (number | string)[];
  f32_to_f16: number[];
  f32_to_bf16: number[];
  f64: number[];
  f64_to_f16: number[];
  f64_to_bf16: number[];
  f16_bits: number[];
  f16_as_f32: (number | string)[];
  bf16_as_f32: (number | string)[];
}

// Bit patterns from PyTorch 1.13 (packages/io/scripts/gen_io_fixtures.py): .half(), .bfloat16().
const fx = json<HalfFixture>('half.json');

describe('float16 / bfloat16 conversions match PyTorch', () => {
  it('float32 → float16 (ties to even, subnormals, overflow, NaN)', () => {
    const got = fx.f32.map((v) => float32ToHalfBits(num(v) as number));
    expect(got).toEqual(fx.f32_to_f16);
  });
  it('float32 → bfloat16', () => {
    expect(fx.f32.map((v) => float32ToBfloat16Bits(num(v) as number))).toEqual(fx.f32_to_bf16);
  });
  it('float64 → float16 / bfloat16 go through float32 as PyTorch does', () => {
    expect(fx.f64.map(float32ToHalfBits)).toEqual(fx.f64_to_f16);
    expect(fx.f64.map(float32ToBfloat16Bits)).toEqual(fx.f64_to_bf16);
  });
  it('float16 and bfloat16 bit patterns → float32', () => {
    const bits = Uint16Array.from(fx.f16_bits);
    expect(Array.from(halfToFloat32(bits))).toEqual(fx.f16_as_f32.map(num));
    expect(Array.from(bfloat16ToFloat32(bits))).toEqual(fx.bf16_as_f32.map(num));
  });
  it('every float16 value survives float16 → float32 → float16', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = Array.from(halfToFloat32(all), float32ToHalfBits);
    for (let h = 0; h < 65536; h++) {
      const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (nan) expect(back[h]! & 0x7e00).toBe(0x7e00);
      else if (back[h] !== h)
        expect.fail(`half 0x${h.toString(16)} came back as 0x${back[h]!.toString(16)}`);
    }
  });
});
