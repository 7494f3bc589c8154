/**
 * @autodag/autograd: records the DAG that registered ops produce, on the fly, and
 * back-propagates through it. Importing this package installs the engine into core.
 * @packageDocumentation
 */
import { installAutograd } from '@autodag/core';
import { engine } from './engine.js';

installAutograd(engine);

export type {
  DagBackwardOptions,
  DagGradients,
  DagNodeOptions,
  DagOp,
  DagOperator,
  DagRef,
} from './dag.js';
export { Dag, DagInput, DagNode, DagParameter } from './dag.js';
export type { DagDotSpec, ToDotOptions } from './dot.js';
export { toDot } from './dot.js';
export { backward, edgeOf, leafNode, walk } from './engine.js';
export type {
  FunctionalOptions,
  HessianOptions,
  JacobianOptions,
  JacobianResult,
  TensorFn,
} from './functional.js';
export * as functional from './functional.js';
export type { GradOptions } from './grad.js';
export { grad } from './grad.js';
export type {
  GradcheckFn,
  GradcheckOptions,
  GradcheckOutput,
  GradgradcheckOptions,
} from './gradcheck.js';
export { gradcheck, gradgradcheck } from './gradcheck.js';
export type { Edge } from './node.js';
export { AccumulateGrad, FunctionNode, Node, OpNode } from './node.js';
