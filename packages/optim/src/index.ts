/**
 * @autodag/optim: optimizers, learning-rate schedulers and gradient clipping (PyTorch's
 * `torch.optim`). Updates run in place under `noGrad`.
 * @packageDocumentation
 */
export {};
