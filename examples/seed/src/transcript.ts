/**
 * The seed's console transcript, read like a Node REPL session: every statement is echoed as
 * `> code` (further lines indented by two spaces) before it runs, and a value is printed only
 * right after the statement that produced it.
 *
 * `code` is the source text of the function passed with it, written out because a transpiled
 * function's `toString()` is minified; test/transcript.test.ts parses main.ts and checks that the
 * two agree for every call, so what is shown is what runs.
 */

/**
 * How a value is printed: tensors, sizes and autograd nodes by their `toString()`, arrays as
 * `[a, b]` (their strings quoted), other strings as they are.
 * @example repr([torch.tensor([1, 2]), 'x1']) // "[tensor([1., 2.]), 'x1']"
 */
export function repr(value: unknown, nested = false): string {
  // Plain arrays only: Size is an Array subclass with its own `Size([2, 5])` text.
  if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype)
    return `[${value.map((v) => repr(v, true)).join(', ')}]`;
  if (typeof value === 'string' && nested) return `'${value}'`;
  return String(value);
}

/** Echoes `code` as typed at a `> ` prompt. */
function echo(code: string): void {
  console.log(`> ${code.split('\n').join('\n  ')}`);
}

/**
 * Starts a section: a blank line and `=== title ===`.
 * @example section('Autograd')
 */
export function section(title: string): void {
  console.log(`\n=== ${title} ===`);
}

/**
 * A comment in the transcript, printed as `// text`.
 * @example note('phi1, phi2, phi3 are defined in src/lecture-dag.ts')
 */
export function note(text: string): void {
  console.log(`// ${text}`);
}

/**
 * Echoes the statement `code`, runs `body` (whose source `code` is) and returns what it returns,
 * printing nothing else (what the statement itself prints follows it).
 * @example const y = run('const y = torch.tensor([11, 21, 31])', () => torch.tensor([11, 21, 31]));
 */
export function run<T>(code: string, body: () => T): T {
  echo(code);
  return body();
}

/**
 * Echoes the expression `code`, evaluates it with `body` and prints its value.
 * @example show('x.add(y)', () => x.add(y)); // > x.add(y) \n tensor([21., 41., 61.])
 */
export function show(code: string, body: () => unknown): void {
  echo(code);
  console.log(repr(body()));
}
