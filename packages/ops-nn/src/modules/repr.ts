/**
 * Python-style formatting of `extraRepr()` values, so module reprs read like PyTorch's
 * (`eps=1e-05`, `bias=True`, `kernel_size=(3, 3)`).
 */

/**
 * A number as Python's `repr(float)` writes it: `1.0`, `0.1`, `1e-05`.
 * @example pyFloat(1e-5) // '1e-05'; pyFloat(1) // '1.0'
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = x.toString();
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * A value as Python's `repr` writes it: booleans `True`/`False`, `null` as `None`, arrays as
 * tuples, strings quoted; numbers as given (ints stay ints; use `pyFloat` for floats).
 * @example pyRepr([3, 3]) // '(3, 3)'; pyRepr(true) // 'True'; pyRepr('zeros') // "'zeros'"
 */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) {
    const items = v.map(pyRepr);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return String(v);
}

/**
 * Indents every line but the first by `spaces` (PyTorch's `_addindent`).
 * @example addIndent('A(\n  x\n)', 2) // 'A(\n    x\n  )'
 */
export function addIndent(text: string, spaces: number): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const pad = ' '.repeat(spaces);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join('\n');
}
