import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatExponential, formatFixed } from '../src/print-number.js';

/** [repr(value), precision, '{:.Nf}'.format(value), '{:.Ne}'.format(value)] from Python. */
const numbers = JSON.parse(
  readFileSync(new URL('./fixtures/print_numbers.json', import.meta.url), 'utf8'),
) as [string, number, string, string][];

describe("number formatting matches Python's format()", () => {
  it('agrees on every recorded value', () => {
    expect(numbers.length).toBeGreaterThan(1000);
    const wrong: string[] = [];
    for (const [repr, precision, fixed, exp] of numbers) {
      const v = Number(repr);
      const f = formatFixed(v, precision);
      const e = formatExponential(v, precision);
      if (f !== fixed) wrong.push(`{:.${precision}f} of ${repr}: ${f} != ${fixed}`);
      if (e !== exp) wrong.push(`{:.${precision}e} of ${repr}: ${e} != ${exp}`);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds exact half-way values to even, unlike toFixed', () => {
    expect(formatFixed(0.03125, 4)).toBe('0.0312');
    expect((0.03125).toFixed(4)).toBe('0.0313');
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(-2.5, 0)).toBe('-2');
    expect(formatExponential(1.03125, 4)).toBe('1.0312e+00');
  });

  it('keeps the sign of negative zero and spells non-finite values like Python', () => {
    expect(formatFixed(-0, 4)).toBe('-0.0000');
    expect(formatExponential(-0, 4)).toBe('-0.0000e+00');
    expect(formatExponential(0, 0)).toBe('0e+00');
    expect(formatFixed(Number.NaN, 4)).toBe('nan');
    expect(formatExponential(Number.NEGATIVE_INFINITY, 4)).toBe('-inf');
  });

  it('writes exact digits beyond toFixed range', () => {
    expect(formatFixed(-3e25, 4)).toBe('-30000000000000000570425344.0000');
    expect(formatExponential(1e100, 2)).toBe('1.00e+100');
  });

  it('prints the nearest decimal: off by at most half a unit of the last digit', () => {
    fc.assert(
      fc.property(
        // Bounded so that rounding up cannot overflow to Infinity when parsed back.
        fc.double({ min: -1e300, max: 1e300, noNaN: true }),
        fc.integer({ min: 0, max: 12 }),
        (v, p) => {
          // Parsing the text back rounds once more, by at most an ulp of v.
          const slack = Math.abs(v) * 2 ** -51 + Number.MIN_VALUE;
          const e = formatExponential(v, p);
          expect(e).toMatch(/^-?\d(\.\d+)?e[+-]\d{2,3}$/);
          const exponent = Number(e.slice(e.indexOf('e') + 1));
          const unit = 10 ** (exponent - p);
          expect(Math.abs(Number(e) - v)).toBeLessThanOrEqual(unit / 2 + slack);
          if (Math.abs(v) < 1e21) {
            const f = formatFixed(v, p);
            expect(Math.abs(Number(f) - v)).toBeLessThanOrEqual(10 ** -p / 2 + slack);
          }
        },
      ),
    );
  });
});
