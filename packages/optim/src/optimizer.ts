import {
  checkTensorOrList,
  enableGrad,
  formatShape,
  isFloatingPoint,
  keep,
  noGrad,
  Tensor,
  zerosLike,
} from '@autodag/core';
import { formatValue, typeName } from './check.js';

/**
 * Marks an option without a default (PyTorch's `torch.optim.optimizer.required`): every parameter
 * group must then give it, as SGD's `lr`.
 * @example new SGD(params, { lr: required as unknown as number }) // groups must each set lr
 */
export const required: unique symbol = Symbol('required');

/** Options every optimizer has: the learning rate that schedulers adjust. */
export interface Hyperparameters {
  /** Learning rate. */
  lr: number;
}

/** Per-parameter state: buffers (tensors), counters (numbers) or `null` (not allocated). */
export type ParamState = Record<string, Tensor | number | null>;

/**
 * A parameter group as the optimizer holds it: its tensors and every option, with the
 * optimizer's defaults filled in. Schedulers add their own entries (e.g. `initialLr`).
 */
export type ParamGroup<O extends object = Hyperparameters> = O & {
  /** The tensors this group updates. */
  params: Tensor[];
} & Record<string, unknown>;

/** A parameter group as given to an optimizer: its tensors plus options that override the defaults. */
export type ParamGroupInput<O extends object = Hyperparameters> = Partial<O> & {
  /** One tensor or an iterable of tensors (kept in iteration order). */
  params: Iterable<Tensor> | Tensor;
} & Record<string, unknown>;

/** What optimizers accept: tensors (one group with the defaults) or parameter groups. */
export type ParamsInput<O extends object = Hyperparameters> =
  | Iterable<Tensor>
  | Iterable<ParamGroupInput<O>>;

/** The optimizer's state as `stateDict()` returns it (PyTorch's layout, with camelCase keys). */
export interface OptimizerStateDict {
  /** State per parameter, keyed by the parameter's index across all groups. */
  state: Record<number, Record<string, unknown>>;
  /** Every group's options, with `params` listing the indices of its parameters. */
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** Defaults as optimizers declare them: an option may be `required` instead of a value. */
export type Defaults<O extends object> = { [K in keyof O]: O[K] | typeof required };

/**
 * Base class of all optimizers (PyTorch's `torch.optim.Optimizer`). Subclasses implement
 * `updateGroup` (called under `noGrad` for each group by `step`) and may validate options in
 * `checkGroup`; per-parameter buffers live in `state`.
 * @example
 * class PlainSGD extends torch.optim.Optimizer<{ lr: number }> {
 *   constructor(params: Iterable<Tensor>, lr: number) { super(params, { lr }); }
 *   protected updateGroup(group) {
 *     for (const p of group.params) if (p.grad) p.sub_(p.grad, { alpha: group.lr });
 *   }
 * }
 */
export abstract class Optimizer<O extends object = Hyperparameters> {
  /**
   * The options every group starts from.
   * @example new torch.optim.Adam(params).defaults.betas // [0.9, 0.999]
   */
  readonly defaults: Readonly<Defaults<O>>;
  /**
   * The parameter groups, each with all of its options (change `lr` here to adjust it by hand).
   * @example opt.paramGroups[0]!.lr = 0.01
   */
  paramGroups: ParamGroup<O>[] = [];
  /**
   * Per-parameter state (momentum buffers, moment estimates, step counts), created on first use.
   * @example opt.state.get(w)?.expAvg // Adam's first moment of w
   */
  state = new Map<Tensor, ParamState>();

  /**
   * Collects the parameters (tensors, or groups of tensors with their own options) and fills each
   * group's missing options from `defaults`.
   * @example super(params, { lr: 1e-3, weightDecay: 0 }) // in a subclass's constructor
   */
  constructor(params: ParamsInput<O>, defaults: Defaults<O>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(
        'params argument given to the optimizer should be an iterable of Tensors or dicts, but got Tensor',
      );
    }
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new TypeError(
        `params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typeName(params)}`,
      );
    }
    const items = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (items.length === 0) throw new Error('optimizer got an empty parameter list');
    const first = items[0];
    const isGroup = isObject(first) && !(first instanceof Tensor) && !Array.isArray(first);
    const groups = isGroup ? items : [{ params: items }];
    for (const group of groups) this.addParamGroup(group as ParamGroupInput<O>);
  }

  /**
   * Adds a group of parameters with its own options (missing options come from `defaults`), e.g.
   * to unfreeze layers during fine-tuning.
   * @example opt.addParamGroup({ params: head.parameters(), lr: 0.01 })
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (!isObject(group) || !('params' in group)) {
      throw new TypeError(
        `param group must be an object with a 'params' entry, got ${typeName(group)}`,
      );
    }
    const list = paramList(group.params);
    checkTensorOrList(list, this.constructor.name, 'params');
    const params = list as Tensor[];
    for (const p of params) {
      if (!p.isLeaf && !p.retainsGradient) throw new Error("can't optimize a non-leaf Tensor");
    }
    if (new Set(params).size !== params.length) {
      throw new Error('optimizer contains a parameter group with duplicate parameters');
    }
    for (const other of this.paramGroups) {
      if (other.params.some((p) => params.includes(p))) {
        throw new Error('some parameters appear in more than one parameter group');
      }
    }
    const full: Record<string, unknown> = { params };
    for (const [key, value] of Object.entries(group)) {
      if (key !== 'params' && value !== undefined) full[key] = copyValue(value);
    }
    for (const [key, value] of Object.entries(this.defaults)) {
      if (full[key] !== undefined) continue;
      if (value === required) {
        throw new Error(
          `parameter group didn't specify a value of required optimization parameter ${key}`,
        );
      }
      full[key] = copyValue(value);
    }
    this.checkGroup(full as ParamGroup<O>);
    this.paramGroups.push(full as ParamGroup<O>);
  }

  /**
   * Throws for invalid options of a group (PyTorch's `Invalid learning rate: -1`). Called for
   * every group added and every group loaded.
   * @example protected override checkGroup(g) { if (!(g.lr >= 0)) throw new RangeError(`Invalid learning rate: ${g.lr}`); }
   */
  protected checkGroup(_group: ParamGroup<O>): void {}

  /**
   * Updates the parameters of one group in place; `step` calls it under `noGrad`.
   * @example protected updateGroup(g) { for (const p of g.params) if (p.grad) p.sub_(p.grad, { alpha: g.lr }); }
   */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /**
   * Performs one update of every parameter that has a gradient (those whose `.grad` is null are
   * skipped). `closure`, if given, re-evaluates the model with grad enabled and returns the loss,
   * which `step` returns. State buffers first follow their parameter to its current device and
   * floating-point dtype, so a model moved with `model.to('webgpu')` after some steps keeps
   * training with its moments (PyTorch raises a device mismatch there instead).
   * @example loss.backward(); opt.step(); opt.zeroGrad();
   * @example const loss = opt.step(() => { opt.zeroGrad(); const l = f(); l.backward(); return l; });
   */
  step<L = Tensor>(closure?: () => L): L | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) {
        followParams(this.state, group.params);
        this.updateGroup(group);
      }
    });
    return loss;
  }

  /**
   * Resets the gradients of all parameters: to `null` (default, as PyTorch 2), or to zeros in
   * place with `setToNone = false` (the gradient is detached first).
   * @example opt.zeroGrad(); opt.zeroGrad(false) // keep zero-filled .grad tensors
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
          continue;
        }
        if (g.gradFn !== null) g.detach_();
        else g.requiresGrad_(false);
        noGrad(() => g.zero_());
      }
    }
  }

  /**
   * The optimizer's state as plain data: `{ state: { index: { ...buffers } }, paramGroups: [{
   * ...options, params: [indices] }] }`, parameters numbered in group order as PyTorch does.
   * Tensors are copied, so the result stays valid while training goes on.
   * @example const saved = opt.stateDict(); ...; opt.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let start = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key !== 'params') packed[key] = copyValue(value);
      }
      group.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      start += group.params.length;
      return { ...packed, params: group.params.map((p) => index.get(p)!) };
    });
    const state: Record<number, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const packed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(s)) {
        packed[key] = value instanceof Tensor ? noGrad(() => value.detach().clone()) : value;
      }
      state[i] = packed;
    }
    return { state, paramGroups };
  }

  /**
   * Restores state saved by `stateDict()` (of an optimizer over parameters of the same shapes, in
   * the same group layout). Tensors are copied and cast to each parameter's dtype and device
   * (except `step`); group options are taken from the saved groups.
   * @example const saved = opt.stateDict(); train(); opt.loadStateDict(saved); // back to the saved state
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    if (
      !isObject(stateDict) ||
      !Array.isArray(stateDict.paramGroups) ||
      !isObject(stateDict.state)
    ) {
      throw new TypeError(
        'loadStateDict: expected an object { state, paramGroups } as returned by stateDict()',
      );
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(
        `loaded state dict has a different number of parameter groups (${saved.length} saved, ${this.paramGroups.length} in the optimizer)`,
      );
    }
    saved.forEach((g, i) => {
      const have = this.paramGroups[i]!.params.length;
      if (!Array.isArray(g.params) || g.params.length !== have) {
        throw new Error(
          `loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${i}: ${Array.isArray(g.params) ? g.params.length : 'no'} saved parameters, ${have} in the optimizer)`,
        );
      }
    });
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, i) => {
      g.params.forEach((id, j) => {
        byIndex.set(id, this.paramGroups[i]!.params[j]!);
      });
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, values] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) {
        throw new Error(
          `loadStateDict: the state names parameter ${key}, which none of the saved parameter groups lists`,
        );
      }
      state.set(p, castState(p, Number(key), values));
    }
    const groups = saved.map((g, i) => {
      const current = this.paramGroups[i]!;
      const group: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(current)) group[key] = value;
      for (const [key, value] of Object.entries(g)) {
        if (key !== 'params') group[key] = copyValue(value);
      }
      group.params = current.params;
      this.checkGroup(group as ParamGroup<O>);
      return group as ParamGroup<O>;
    });
    this.paramGroups = groups;
    this.state = state;
  }

  /**
   * The class name and each group's options, as PyTorch prints an optimizer.
   * @example `${new torch.optim.SGD(params, { lr: 0.1 })}` // 'SGD (\nParameter Group 0\n    dampening: 0\n ...)'
   */
  toString(): string {
    let out = `${this.constructor.name} (`;
    this.paramGroups.forEach((group, i) => {
      out += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(group).sort()) {
        if (key !== 'params') out += `    ${key}: ${formatValue(group[key])}\n`;
      }
    });
    return `${out})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * The state object of `p` in `states`, created empty on first use.
 * @example const s = paramState(this.state, p); s.step = ((s.step as number) ?? 0) + 1;
 */
export function paramState(states: Map<Tensor, ParamState>, p: Tensor): ParamState {
  let s = states.get(p);
  if (s === undefined) {
    s = {};
    states.set(p, s);
  }
  return s;
}

/**
 * A zero-filled buffer shaped like `p`, kept out of the enclosing `tidy` scopes (optimizer state
 * outlives the training step that creates it).
 * @example state.expAvg = zeroBuffer(p)
 */
export function zeroBuffer(p: Tensor): Tensor {
  return keep(zerosLike(p));
}

/** `t` on `p`'s device, cast to `p`'s dtype when that is floating-point (itself when it is already). */
function likeParam(t: Tensor, p: Tensor): Tensor {
  const cast = isFloatingPoint(p.dtype) ? t.to(p.dtype) : t;
  return cast.to(p.device);
}

/**
 * Moves each state buffer of `params` that is not where its parameter is (`step` stays a
 * counter). `Module.to` moves parameters in place, so the optimizer still holds them after a
 * move, but the buffers it made on the old device would stay there.
 */
function followParams(states: Map<Tensor, ParamState>, params: readonly Tensor[]): void {
  for (const p of params) {
    const s = states.get(p);
    if (s === undefined) continue;
    for (const [key, value] of Object.entries(s)) {
      if (!(value instanceof Tensor) || key === 'step') continue;
      const moved = likeParam(value, p);
      if (moved !== value) s[key] = keep(moved);
    }
  }
}

function castState(p: Tensor, index: number, values: unknown): ParamState {
  if (!isObject(values)) {
    throw new TypeError(
      `loadStateDict: the state of parameter ${index} must be an object, got ${typeName(values)}`,
    );
  }
  const out: ParamState = {};
  for (const [key, value] of Object.entries(values)) {
    if (!(value instanceof Tensor)) {
      out[key] = copyValue(value) as number | null;
      continue;
    }
    if (key === 'step' && value.numel() === 1) {
      // PyTorch keeps step counts in tensors; here they are numbers.
      out[key] = value.item();
      continue;
    }
    if (value.ndim > 0 && formatShape(value.shape) !== formatShape(p.shape)) {
      throw new RangeError(
        `loadStateDict: state '${key}' of parameter ${index} has shape ${formatShape(value.shape)}, but the parameter has shape ${formatShape(p.shape)}`,
      );
    }
    out[key] = noGrad(() => {
      const t = key === 'step' ? value.detach() : likeParam(value.detach(), p);
      // A copy, so that the loaded dict and the optimizer never share buffers.
      return keep(t.clone());
    });
  }
  return out;
}

function paramList(params: unknown): unknown[] {
  if (params instanceof Tensor) return [params];
  if (params !== null && typeof params === 'object' && Symbol.iterator in params) {
    return [...(params as Iterable<unknown>)];
  }
  throw new TypeError(
    `a parameter group's params must be a Tensor or an iterable of Tensors, got ${typeName(params)}`,
  );
}

function copyValue(value: unknown): unknown {
  return Array.isArray(value) ? value.map(copyValue) : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
