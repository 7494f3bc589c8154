import type { Kernel, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { denseData } from '../strided.js';
import { binaryKernel, unaryKernel } from './compile.js';

/**
 * Elementwise kernels: each entry is the scalar expression (over `x`, `y`) and an equivalent
 * function used where code generation is unavailable. Integer results are truncated by the
 * int32 typed array; bool outputs store 0/1.
 */
export const BINARY: Record<string, [string, (x: number, y: number) => number]> = {
  add: ['x + y', (x, y) => x + y],
  sub: ['x - y', (x, y) => x - y],
  mul: ['x * y', (x, y) => x * y],
  div: ['x / y', (x, y) => x / y],
};

export const UNARY: Record<string, [string, (x: number) => number]> = {
  neg: ['-x', (x) => -x],
  exp: ['Math.exp(x)', Math.exp],
  log: ['Math.log(x)', Math.log],
  tanh: ['Math.tanh(x)', Math.tanh],
};

/** Copies elements converting dtype; float → int truncates toward zero, anything → bool is `!= 0`. */
const castKernel: Kernel<{ dtype: string }> = (inputs, outputs, { dtype }) => {
  const x = denseData(inputs[0]!);
  const o = outputs[0]!.storage.data as TypedArray;
  if (dtype === 'bool') {
    for (let i = 0; i < o.length; i++) o[i] = x[i] !== 0 ? 1 : 0;
  } else if (dtype === 'int32') {
    for (let i = 0; i < o.length; i++) o[i] = Math.trunc(x[i]!);
  } else {
    o.set(x);
  }
};

/** Registers this file's kernels on `backend`. */
export function registerElementwiseKernels(backend: string): void {
  for (const [name, [expr, f]] of Object.entries(BINARY))
    registerKernel(name, backend, binaryKernel(expr, f));
  for (const [name, [expr, f]] of Object.entries(UNARY))
    registerKernel(name, backend, unaryKernel(expr, f));
  registerKernel('cast', backend, castKernel);
}
