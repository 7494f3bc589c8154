// Op families. Importing a family registers its ops and attaches its Tensor methods.
export * from './binary.js';
export * from './cast.js';
export * from './device.js';
export * from './inplace.js';
export * from './linalg.js';
export * from './promotion.js';
export * from './reduce.js';
export * from './unary.js';
export * from './view.js';
export * from './join.js';
export * from './reorder.js';
export * from './cumulative.js';
export * from './norm.js';
export * from './reduce-logical.js';
export * from './reduce-minmax.js';
export * from './reduce-stats.js';
