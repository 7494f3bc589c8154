import * as torch from 'autodag';

/**
 * Walks public entry points with a plain array (and null) in each tensor position of a call
 * known to work, and reports every call that does not answer with the one argument-type error:
 * a TypeError naming the function and saying `not an array` (`not null`). Shared by the
 * core and ops-nn tests.
 */

/** A call that succeeds: `args` builds fresh arguments (in-place ops may change them). */
export interface Call {
  /** The names the error may use: the function's own and any alias of the same function. */
  readonly names: readonly string[];
  readonly invoke: (args: unknown[]) => unknown;
  readonly args: () => unknown[];
  /** Only positions below this are probed (arguments past a function's arity are ignored). */
  readonly arity?: number;
}

/** One tensor position: a top-level argument, or a tensor inside an options object. */
interface Position {
  readonly label: string;
  readonly put: (args: unknown[], value: unknown) => unknown[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

function tensorPositions(args: unknown[], arity: number): Position[] {
  const out: Position[] = [];
  const at = (i: number, v: unknown) => (xs: unknown[]) => xs.map((x, j) => (j === i ? v : x));
  args.forEach((a, i) => {
    if (i >= arity) return;
    if (a instanceof torch.Tensor) {
      out.push({ label: `#${i}`, put: (xs, v) => at(i, v)(xs) });
    } else if (Array.isArray(a)) {
      a.forEach((item, k) => {
        if (!(item instanceof torch.Tensor)) return;
        out.push({
          label: `#${i}[${k}]`,
          put: (xs, v) =>
            at(
              i,
              (xs[i] as unknown[]).map((y, m) => (m === k ? v : y)),
            )(xs),
        });
      });
    } else if (isPlainObject(a)) {
      for (const [k, item] of Object.entries(a)) {
        if (!(item instanceof torch.Tensor)) continue;
        out.push({
          label: `#${i}.${k}`,
          put: (xs, v) => at(i, { ...(xs[i] as object), [k]: v })(xs),
        });
      }
    }
  });
  return out;
}

/** The error a call throws (or its promise rejects with), or null when it succeeds. */
async function outcome(run: () => unknown): Promise<Error | null> {
  try {
    await run();
    return null;
  } catch (e) {
    return e as Error;
  }
}

function explain(e: Error | null): string {
  return e === null ? 'no error' : `${e.constructor.name}: ${e.message.split('\n')[0]}`;
}

/**
 * Problems found probing one call; `arraysAccepted` lists the positions (`#2`, `#1.weight`) where
 * a plain array is a legitimate value (index lists).
 */
export async function probe(call: Call, arraysAccepted: readonly string[] = []): Promise<string[]> {
  const problems: string[] = [];
  const name = call.names[0]!;
  const ok = await outcome(() => call.invoke(call.args()));
  if (ok) return [`${name}: the reference call fails (${explain(ok)}); fix its template`];
  const namesFn = (m: string) => call.names.some((n) => m.includes(n));
  for (const pos of tensorPositions(call.args(), call.arity ?? Number.POSITIVE_INFINITY)) {
    const fresh = call.args();
    const list = asPlainArray(fresh, pos.label);
    const e = await outcome(() => call.invoke(pos.put(fresh, list)));
    const accepted = arraysAccepted.includes(pos.label);
    const clear = e instanceof TypeError && namesFn(e.message) && /not an array/.test(e.message);
    if (accepted ? e !== null : !clear)
      problems.push(`${name}(${pos.label} = array): ${explain(e)}`);
    const n = await outcome(() => call.invoke(pos.put(call.args(), null)));
    if (
      n !== null &&
      !(n instanceof TypeError && namesFn(n.message) && /not null/.test(n.message))
    ) {
      problems.push(`${name}(${pos.label} = null): ${explain(n)}`);
    }
  }
  return problems;
}

/** The tensor at a position, as the plain array a caller might have passed instead. */
function asPlainArray(args: unknown[], label: string): unknown[] {
  const m = /^#(\d+)(?:\[(\d+)\]|\.(\w+))?$/.exec(label)!;
  const a = args[Number(m[1])] as Record<string, unknown> & unknown[];
  const t = (
    m[2] !== undefined ? a[Number(m[2])] : m[3] !== undefined ? a[m[3]] : a
  ) as torch.Tensor;
  // A 0-d tensor's list is a bare number: the array a caller would write is [value].
  return t.ndim === 0 ? [t.item()] : (t.tolist() as unknown[]);
}

/** Argument lists tried, in order, to find a working call of a function without a template. */
export function defaultTemplates(x: () => torch.Tensor): (() => unknown[])[] {
  return [() => [x()], () => [x(), x()], () => [x(), 0], () => [x(), x(), x()]];
}

/** The first template that makes `invoke` succeed, if any. */
export async function discover(
  invoke: (args: unknown[]) => unknown,
  templates: readonly (() => unknown[])[],
): Promise<(() => unknown[]) | null> {
  for (const t of templates) if ((await outcome(() => invoke(t()))) === null) return t;
  return null;
}

/** Every problem `probe` finds in `calls`, with the array-accepting positions of each. */
export async function probeAll(
  calls: readonly Call[],
  arraysAccepted: Record<string, readonly string[]>,
): Promise<string[]> {
  const out: string[] = [];
  for (const c of calls) {
    const ok = c.names.flatMap((n) => (Object.hasOwn(arraysAccepted, n) ? arraysAccepted[n]! : []));
    out.push(...(await probe(c, ok)));
  }
  return out;
}

/** The entry for any of a function's names in a table keyed by name (aliases share entries). */
export function lookup<T>(table: Record<string, T>, names: readonly string[]): T | undefined {
  for (const n of names) if (Object.hasOwn(table, n)) return table[n];
  return undefined;
}

/** Every name under which the same function object is exported, keyed by that function. */
export function aliases(obj: Record<string, unknown>): Map<unknown, string[]> {
  const out = new Map<unknown, string[]>();
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'function') continue;
    out.set(v, [...(out.get(v) ?? []), k]);
  }
  return out;
}
