/**
 * @autodag/ops-nn: neural-network ops and modules, registered through @autodag/core's public
 * registry exactly as a third-party plugin would. `functional` holds the ops (PyTorch's
 * `torch.nn.functional`), `init` the initialisers (`torch.nn.init`), and the top level the
 * module classes (`Module`, `Linear`, `Conv2d`, ...).
 * @packageDocumentation
 */
export * as functional from './functional/index.js';
export * as init from './init.js';
export * from './modules/index.js';
