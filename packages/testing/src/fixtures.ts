import type { DType } from '@autodag/core';

/** A tensor as `gen_fixtures.py` writes it: non-finite values are the strings `nan`, `inf`, `-inf`. */
export interface FixtureTensor {
  /** The tensor's shape. */
  readonly shape: readonly number[];
  /** PyTorch dtype name without the `torch.` prefix, e.g. `float32`, `int64`. */
  readonly dtype: string;
  /** Row-major values; decode them with `fixtureValues`. */
  readonly values: readonly (number | string)[];
}

/** PyTorch's results for one sample: outputs, gradients of the weighted loss, or why none exist. */
export interface FixtureSample {
  /** `digestInputs` of the inputs the fixture was computed from. */
  readonly digest: string;
  /** The op's outputs, in order (absent when PyTorch raised). */
  readonly outputs?: readonly FixtureTensor[];
  /** One entry per op argument; `null` for arguments not differentiated. */
  readonly grads?: readonly (FixtureTensor | null)[];
  /** PyTorch raised this error on the sample (reported by the checks). */
  readonly error?: string;
  /** PyTorch computed the outputs but raised this error differentiating them (grads absent). */
  readonly gradError?: string;
}

/**
 * The file `gen_fixtures.py` writes (`packages/testing/fixtures/ops.json` for core ops).
 * @example const fixtures: FixtureFile = parseFixtures(JSON.parse(readFileSync(path, 'utf8')))
 */
export interface FixtureFile {
  /** PyTorch version the fixtures come from. */
  readonly torch: string;
  /** Op name → sample name → results. */
  readonly ops: Readonly<Record<string, Readonly<Record<string, FixtureSample>>>>;
  /** Ops that had samples but no PyTorch mapping in the generator. */
  readonly unmapped?: readonly string[];
}

/**
 * Checks the shape of a parsed fixture file and returns it typed; throws naming what is missing.
 * @example parseFixtures(JSON.parse(readFileSync('fixtures/ops.json', 'utf8')))
 */
export function parseFixtures(json: unknown): FixtureFile {
  const f = json as FixtureFile;
  if (!f || typeof f !== 'object' || typeof f.ops !== 'object' || f.ops === null) {
    throw new TypeError(
      "parseFixtures: expected an object with 'ops' (the file gen_fixtures.py writes)",
    );
  }
  return f;
}

/**
 * Merges several fixture files (e.g. core ops and a plugin's ops); later files win per op.
 * @example runConformance({ describe, it, fixtures: mergeFixtures(coreFixtures, pluginFixtures) })
 */
export function mergeFixtures(...files: readonly (FixtureFile | undefined)[]): FixtureFile {
  const ops: Record<string, Readonly<Record<string, FixtureSample>>> = {};
  const unmapped = new Set<string>();
  let torch = '';
  for (const f of files) {
    if (!f) continue;
    torch = torch || f.torch;
    Object.assign(ops, f.ops);
    for (const u of f.unmapped ?? []) unmapped.add(u);
  }
  for (const name of Object.keys(ops)) unmapped.delete(name);
  return { torch, ops, unmapped: [...unmapped].sort() };
}

/**
 * Decodes a fixture tensor's values to numbers (`'nan'`, `'inf'`, `'-inf'`, `'-0'` included).
 * @example fixtureValues({ shape: [2], dtype: 'float32', values: [1, 'nan'] }) // [1, NaN]
 */
export function fixtureValues(t: FixtureTensor): number[] {
  return t.values.map((v) => {
    if (typeof v === 'number') return v;
    if (v === 'nan') return Number.NaN;
    if (v === 'inf') return Number.POSITIVE_INFINITY;
    if (v === '-inf') return Number.NEGATIVE_INFINITY;
    if (v === '-0') return -0;
    return Number(v);
  });
}

/**
 * Whether an autodag dtype matches a PyTorch result dtype. int32 plays PyTorch's int64 role
 * (integer reductions return int64 in PyTorch), so either PyTorch integer dtype matches it.
 * @example dtypeMatches('int32', 'int64') // true
 */
export function dtypeMatches(ours: DType, torchName: string): boolean {
  if (ours === 'int32') return torchName === 'int32' || torchName === 'int64';
  return ours === torchName;
}
