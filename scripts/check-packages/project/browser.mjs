// The browser bundle's entry: the scenario plus the WebAssembly kernels, reported to the page.
import { wasmKernelStatus } from '@autodag/backend-cpu';
import * as torch from 'autodag';
import scenario from './scenario.cjs';

scenario
  .run(torch)
  .then((lines) => {
    scenario.check(
      wasmKernelStatus().available,
      `WebAssembly kernels: ${wasmKernelStatus().reason}`,
    );
    globalThis.__result = { ok: true, lines };
  })
  .catch((error) => {
    globalThis.__result = { ok: false, error: String(error?.stack ?? error) };
  });
