import type { Tensor } from '@autodag/core';
import { checkOptionalTensor, checkTensor, formatShape, matmul } from '@autodag/core';
import { requireFloat } from './layer-util.js';

/**
 * `bilinear(x1, x2, A, b)`: y_o = Σ_ij x1_i A_oij x2_j + b_o, composed from core's matmul,
 * reshape and sum, so autograd differentiates it and every backend with a matmul runs it.
 */

function checkBilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null): void {
  requireFloat('bilinear', input1, 'input1');
  const shapes = `(input1 ${formatShape(input1.shape)}, input2 ${formatShape(input2.shape)}, weight ${formatShape(weight.shape)})`;
  if (input1.dtype !== input2.dtype || input1.dtype !== weight.dtype) {
    throw new TypeError(
      `bilinear(): expected input1, input2 and weight to have the same dtype, got ${input1.dtype}, ${input2.dtype} and ${weight.dtype}`,
    );
  }
  if (bias && bias.dtype !== input1.dtype) {
    throw new TypeError(
      `bilinear(): expected bias to have dtype ${input1.dtype}, got ${bias.dtype}`,
    );
  }
  if (weight.shape.length !== 3) {
    throw new RangeError(
      `bilinear(): weight must be 3-D (out_features, in1_features, in2_features), got ${formatShape(weight.shape)}`,
    );
  }
  const d1 = input1.shape.length;
  const d2 = input2.shape.length;
  if (d1 === 0) throw new RangeError('bilinear(): inputs must have at least 1 dimension, got 0-d');
  if (d1 !== d2) {
    throw new RangeError(
      `bilinear(): input dimensions do not match: got ${d1} and ${d2} ${shapes}`,
    );
  }
  for (let i = 0; i < d1 - 1; i++) {
    if (input1.shape[i] !== input2.shape[i]) {
      throw new RangeError(
        `bilinear(): input batch dimensions do not match: got ${input1.shape[i]} and ${input2.shape[i]} ${shapes}`,
      );
    }
  }
  if (input1.shape[d1 - 1] !== weight.shape[1]) {
    throw new RangeError(
      `bilinear(): input1 size does not match weight size: got ${input1.shape[d1 - 1]} but expected ${weight.shape[1]} ${shapes}`,
    );
  }
  if (input2.shape[d2 - 1] !== weight.shape[2]) {
    throw new RangeError(
      `bilinear(): input2 size does not match weight size: got ${input2.shape[d2 - 1]} but expected ${weight.shape[2]} ${shapes}`,
    );
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new RangeError(
      `bilinear(): bias size does not match weight size: got ${bias.shape.length === 1 ? bias.shape[0] : formatShape(bias.shape)} but expected ${weight.shape[0]}`,
    );
  }
}

/**
 * Applies y = x1ᵀ·A·x2 + b like `torch.nn.functional.bilinear`: `input1` is (*, in1), `input2`
 * (*, in2) with the same leading dims, `weight` (out, in1, in2), `bias` (out) or omitted; the
 * result is (*, out).
 * @example F.bilinear(torch.randn(5, 3), torch.randn(5, 4), torch.randn(2, 3, 4)).shape // [5, 2]
 */
export function bilinear(
  input1: Tensor,
  input2: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
): Tensor {
  checkTensor(input1, 'bilinear', 'input1');
  checkTensor(input2, 'bilinear', 'input2');
  checkTensor(weight, 'bilinear', 'weight');
  checkOptionalTensor(bias, 'bilinear', 'bias');
  checkBilinear(input1, input2, weight, bias ?? null);
  const [out, in1, in2] = weight.shape as [number, number, number];
  const lead = input1.shape.slice(0, -1);
  const x1 = input1.reshape([-1, in1]);
  const x2 = input2.reshape([-1, in2]);
  // (B, in1) · (in1, out·in2) gives x1ᵀA for every output; then contract with x2 over in2.
  const wFlat = weight.permute([1, 0, 2]).reshape([in1, out * in2]);
  const left = matmul(x1, wFlat).reshape([-1, out, in2]);
  let y = left.mul(x2.unsqueeze(1)).sum(-1);
  if (bias) y = y.add(bias);
  return y.reshape([...lead, out]);
}
