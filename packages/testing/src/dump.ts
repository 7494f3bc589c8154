import { argName, getOp, listOps, resolveAttrs } from '@autodag/core';
import { differentiableArgs } from './execute.js';
import type { Layout } from './materialize.js';
import { sampleValues } from './materialize.js';
import { digestInputs } from './seed.js';

/**
 * One input as `gen_fixtures.py` reads it.
 * @example dumpSamples(['add']).ops.add!.samples[0]!.inputs[0]!.name // 'input'
 */
export interface DumpedInput {
  /** The argument's name in the op definition (e.g. `input`, `other`). */
  readonly name: string;
  /** The input's shape. */
  readonly shape: readonly number[];
  /** The input's dtype (`float32`, `float64`, `int32` or `bool`). */
  readonly dtype: string;
  /** Logical row-major values; non-finite values and -0 as the strings `nan`, `inf`, `-inf`, `-0`. */
  readonly values: readonly (number | string)[];
  /** How the sample stores the input (informative: the generator builds contiguous tensors). */
  readonly layout: Layout;
}

/**
 * One sample as `gen_fixtures.py` reads it.
 * @example dumpSamples(['add']).ops.add!.samples.map((s) => s.name)
 */
export interface DumpedSample {
  /** The sample's name, unique within its op. */
  readonly name: string;
  /** The sample's attributes with defaults filled in; non-finite numbers encoded as in `values`. */
  readonly attrs: Record<string, unknown>;
  /** The tensor inputs, in argument order. */
  readonly inputs: readonly DumpedInput[];
  /** Indices of the arguments PyTorch should differentiate. */
  readonly grad: readonly number[];
  /** The op's declared differentiable outputs, or `null` for "every floating output". */
  readonly differentiableOutputs: readonly number[] | null;
  /** `digestInputs` of the inputs, copied into the fixture to detect stale fixtures. */
  readonly digest: string;
}

/**
 * The file `dump-samples.ts` writes.
 * @example writeFileSync('samples.json', JSON.stringify(dumpSamples()))
 */
export interface DumpedSamples {
  /** Op name → how it is implemented (`kernel`, `view` or `composite`) and its samples. */
  readonly ops: Record<string, { readonly kind: string; readonly samples: DumpedSample[] }>;
}

function encode(v: number): number | string {
  if (Number.isNaN(v)) return 'nan';
  // JSON writes -0 as 0; division and signed-zero semantics need the sign.
  if (Object.is(v, -0)) return '-0';
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  return v;
}

/** Attributes with non-finite numbers (e.g. a norm's `p: Infinity`) encoded like values. */
function encodeAttrs(attrs: Record<string, unknown>): Record<string, unknown> {
  const enc = (v: unknown): unknown =>
    typeof v === 'number' ? encode(v) : Array.isArray(v) ? v.map(enc) : v;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = enc(v);
  return out;
}

/**
 * Every sample of the selected ops (default: all registered), with materialised input values,
 * for the PyTorch fixture generator `gen_fixtures.py`.
 * @example writeFileSync('samples.json', JSON.stringify(dumpSamples()))
 */
export function dumpSamples(ops: readonly string[] = listOps()): DumpedSamples {
  const out: DumpedSamples['ops'] = {};
  for (const name of ops) {
    const op = getOp(name);
    const samples = op.def.samples?.() ?? [];
    if (!samples.length) continue;
    const kind = op.def.view ? 'view' : op.def.composite ? 'composite' : 'kernel';
    out[name] = {
      kind,
      samples: samples.map((s) => {
        const values = sampleValues(name, s);
        return {
          name: s.name,
          attrs: encodeAttrs(resolveAttrs(op, s.attrs ?? {})),
          inputs: values.map((v, i) => ({
            name: argName(op, i),
            shape: v.shape,
            dtype: v.dtype,
            values: v.values.map(encode),
            layout: v.layout,
          })),
          grad: differentiableArgs(op, s, { ignoreNoGrad: true }),
          differentiableOutputs: op.def.differentiableOutputs?.slice() ?? null,
          digest: digestInputs(values),
        };
      }),
    };
  }
  return { ops: out };
}
