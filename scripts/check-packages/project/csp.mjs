// Served under a Content-Security-Policy without 'wasm-unsafe-eval': the matrix product still
// works (JS kernels) and the status says why the WebAssembly kernels are off.
import { wasmKernelStatus } from '@autodag/backend-cpu';
import * as torch from 'autodag';

const product = torch.ones(8, 8).matmul(torch.ones(8, 8)).sum().item();
globalThis.__result = { product, status: wasmKernelStatus() };
