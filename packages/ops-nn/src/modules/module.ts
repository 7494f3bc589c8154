import type { DType } from '@autodag/core';
import {
  clone,
  copy_,
  DTYPES,
  describeValue,
  isFloatingPoint,
  keep,
  noGrad,
  Tensor,
  zero_,
} from '@autodag/core';
import { Parameter, setData } from './parameter.js';
import { addIndent } from './repr.js';

/** A hook run before `forward`; it may return replacement arguments (an array, or one value). */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown;
/** A hook run after `forward`; it may return a replacement output. */
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;

/** What `registerForwardHook` and friends return: `remove()` unregisters the hook. */
export interface RemovableHandle {
  /** Unregisters the hook. @example const h = m.registerForwardHook(fn); h.remove(); */
  remove(): void;
}

/** Options of `namedParameters`/`namedBuffers`. */
export interface NamedTensorsOptions {
  /** Prepended to every name (`'model.'` gives `'model.0.weight'`). */
  prefix?: string;
  /** Include submodules' tensors (default true). */
  recurse?: boolean;
  /** Report a tensor shared by several modules once (default true). */
  removeDuplicate?: boolean;
}

/** Options of `stateDict`. */
export interface StateDictOptions {
  /** Prepended to every key. */
  prefix?: string;
  /** Return the parameters themselves rather than detached aliases (default false). */
  keepVars?: boolean;
}

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Throw when keys are missing or unexpected (default true). Shape mismatches always throw. */
  strict?: boolean;
}

/** What `loadStateDict` returns (PyTorch's `_IncompatibleKeys`). */
export interface IncompatibleKeys {
  /** Keys the module expects that the state dict lacks. */
  missingKeys: string[];
  /** Keys of the state dict that the module does not have. */
  unexpectedKeys: string[];
}

/** Where `to()` sends a module: a device name, a dtype name, or both. */
export type ModuleTarget = string | { device?: string; dtype?: DType };

/** Per-module bookkeeping, kept off the enumerable properties that registration scans. */
interface Registry {
  params: string[];
  buffers: string[];
  nonPersistent: Set<string>;
  modules: string[];
  preHooks: Map<number, ForwardPreHook>;
  hooks: Map<number, ForwardHook>;
}

let nextHookId = 0;

function checkName(kind: string, name: string, owner: Module, existing: boolean): void {
  if (typeof name !== 'string') {
    throw new TypeError(`${kind} name should be a string. Got ${typeof name}`);
  }
  if (name.includes('.')) throw new Error(`${kind} name can't contain "."`);
  if (name === '') throw new Error(`${kind} name can't be empty string ""`);
  // A declared but unassigned class field (`weight!: Parameter`) holds undefined: not a clash.
  if (
    !existing &&
    name in owner &&
    (owner as unknown as Record<string, unknown>)[name] !== undefined
  ) {
    throw new Error(`attribute '${name}' already exists`);
  }
}

/**
 * Base class of all layers and models (PyTorch's `nn.Module`). Subclasses assign parameters
 * (`this.weight = new Parameter(...)`) and submodules (`this.fc = new Linear(...)`) as plain
 * properties, which registers them in assignment order; buffers go through `registerBuffer`.
 * Override `forward`, and run the module with `call` (which also runs hooks).
 * @example
 * class MLP extends nn.Module {
 *   fc1 = new nn.Linear(4, 8);
 *   fc2 = new nn.Linear(8, 2);
 *   override forward(x: Tensor) { return this.fc2.call(this.fc1.call(x).relu()); }
 * }
 * const y = new MLP().call(torch.randn(3, 4));
 */
export class Module {
  /**
   * True in training mode (dropout active, batch norm using batch statistics); see `train`/`eval`.
   * @example new nn.Dropout().eval().training // false
   */
  declare training: boolean;
  /** @internal registration bookkeeping (non-enumerable). */
  declare private readonly registry: Registry;

  constructor() {
    Object.defineProperty(this, 'registry', {
      value: {
        params: [],
        buffers: [],
        nonPersistent: new Set(),
        modules: [],
        preHooks: new Map(),
        hooks: new Map(),
      } satisfies Registry,
      enumerable: false,
    });
    Object.defineProperty(this, 'training', { value: true, writable: true, enumerable: false });
  }

  /**
   * The computation; subclasses override it with their own signature (`forward(x: Tensor):
   * Tensor`), which `call` then takes and returns. Call the module through `call` so that hooks run.
   * @example class Double extends nn.Module { override forward(x: Tensor) { return x.mul(2); } }
   */
  // biome-ignore lint/suspicious/noExplicitAny: any[] so that subclasses may narrow the parameters.
  forward(..._args: any[]): unknown {
    throw new Error(`Module [${this.getName()}] is missing the required "forward" function`);
  }

  /**
   * Runs the module (PyTorch's `module(...)`): forward pre-hooks, `forward`, then forward hooks.
   * Typed by the module's own `forward`: `linear.call(x)` is a `Tensor`,
   * `mha.call(q, k, v)` a `[Tensor, Tensor | null]`, and a wrong argument does not compile. A
   * value typed only as `Module` gives `unknown`.
   * @example const y = linear.call(x);
   */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    const reg = this.registry;
    let input: unknown[] = args;
    for (const hook of [...reg.preHooks.values()]) {
      const r = hook(this, input);
      if (r !== undefined) input = Array.isArray(r) ? r : [r];
    }
    let output = this.forward(...input);
    for (const hook of [...reg.hooks.values()]) {
      const r = hook(this, input, output);
      if (r !== undefined) output = r;
    }
    // Hooks may replace the output; they are trusted to keep forward's type, as in PyTorch.
    return output as ReturnType<this['forward']>;
  }

  /**
   * Registers `hook(module, args)` to run before every `call`; a returned value replaces the arguments.
   * @example m.registerForwardPreHook((_m, [x]) => [(x as Tensor).mul(2)])
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = nextHookId++;
    this.registry.preHooks.set(id, hook);
    return { remove: () => void this.registry.preHooks.delete(id) };
  }

  /**
   * Registers `hook(module, args, output)` to run after every `call`; a returned value replaces the output.
   * @example const feats: Tensor[] = []; m.registerForwardHook((_m, _a, out) => { feats.push(out as Tensor); })
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    this.registry.hooks.set(id, hook);
    return { remove: () => void this.registry.hooks.delete(id) };
  }

  /**
   * A deep copy of this module tree (PyTorch's `copy.deepcopy(module)`): a new object of the same
   * class whose parameters and buffers are fresh tensors holding copies of the values (not
   * shared; gradients are not copied), whose submodules are copied recursively and whose plain
   * fields (numbers, strings, arrays, plain objects) are copied. A tensor or module reachable
   * twice stays shared within the copy. Forward hooks are copied too, as deepcopy does: the same
   * functions, registered on the copy. Functions stored on the module are kept as they are.
   * @example const twin = layer.deepCopy(); twin.weight === layer.weight // false
   */
  deepCopy(): this {
    return deepCopyValue(this, new Map()) as this;
  }

  /** @internal the copy of this module for `deepCopy` (`memo` maps originals to copies). */
  protected copyInto(memo: Map<unknown, unknown>): Module {
    const out = Object.create(Object.getPrototypeOf(this)) as Module;
    memo.set(this, out);
    const reg = this.discover();
    Object.defineProperty(out, 'registry', {
      value: {
        params: [...reg.params],
        buffers: [...reg.buffers],
        nonPersistent: new Set(reg.nonPersistent),
        modules: [...reg.modules],
        preHooks: new Map(reg.preHooks),
        hooks: new Map(reg.hooks),
      } satisfies Registry,
      enumerable: false,
    });
    const buffers = new Set(reg.buffers);
    for (const key of Reflect.ownKeys(this)) {
      if (key === 'registry') continue;
      const desc = Object.getOwnPropertyDescriptor(this, key)!;
      if ('value' in desc) {
        desc.value = deepCopyValue(desc.value, memo);
        // Buffers are owned by the module, like the originals: `tidy` must not free them.
        if (typeof key === 'string' && buffers.has(key) && desc.value instanceof Tensor) {
          keep(desc.value);
        }
      }
      Object.defineProperty(out, key, desc);
    }
    return out;
  }

  // ---- registration ----------------------------------------------------------------------------

  /**
   * Registers parameters and submodules assigned as plain properties since the last look, in
   * property order (assignment order for non-numeric names).
   */
  private discover(): Registry {
    const reg = this.registry;
    for (const key of Object.keys(this)) {
      const v = (this as Record<string, unknown>)[key];
      if (v instanceof Parameter) {
        if (!reg.params.includes(key) && !reg.buffers.includes(key)) reg.params.push(key);
      } else if (v instanceof Module) {
        if (!reg.modules.includes(key)) reg.modules.push(key);
      }
    }
    return reg;
  }

  private own<T>(name: string): T | null {
    const v = (this as Record<string, unknown>)[name];
    return (v ?? null) as T | null;
  }

  /** Own parameters (non-null) in registration order. */
  private ownParams(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const name of this.discover().params) {
      const p = this.own<unknown>(name);
      if (p === null) continue;
      if (!(p instanceof Tensor)) {
        throw new TypeError(
          `cannot assign '${typeof p}' as parameter '${name}' (Parameter or null expected)`,
        );
      }
      out.push([name, p as Parameter]);
    }
    return out;
  }

  /** Own buffers (non-null) in registration order. */
  private ownBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const name of this.discover().buffers) {
      const b = this.own<Tensor>(name);
      if (b !== null) out.push([name, b]);
    }
    return out;
  }

  /**
   * Adds a parameter (or `null`, a declared but absent parameter such as a disabled bias).
   * Plain assignment of a `Parameter` does the same.
   * @example this.registerParameter('bias', null)
   */
  registerParameter(name: string, param: Parameter | null): void {
    const reg = this.discover();
    const known = reg.params.includes(name);
    checkName('parameter', name, this, known);
    if (param !== null && !(param instanceof Parameter)) {
      const what = (param as unknown) instanceof Tensor ? "'Tensor' object" : describeValue(param);
      throw new TypeError(
        `cannot assign ${what} to parameter '${name}' (Parameter or null required)`,
      );
    }
    if (param !== null && param.gradFn !== null) {
      throw new Error(
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
      );
    }
    (this as Record<string, unknown>)[name] = param;
    if (!known) reg.params.push(name);
  }

  /**
   * Adds a buffer: state saved in `stateDict` (unless `persistent` is false) and moved by `to()`,
   * but not a parameter (e.g. batch norm's running mean).
   * @example this.registerBuffer('running_mean', torch.zeros(features))
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    const reg = this.discover();
    const known = reg.buffers.includes(name);
    checkName('buffer', name, this, known);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(
        `registerBuffer(): cannot assign ${describeValue(tensor)} to buffer '${name}' (Tensor or null required)`,
      );
    }
    if (tensor !== null) keep(tensor);
    (this as Record<string, unknown>)[name] = tensor;
    if (!known) reg.buffers.push(name);
    if (persistent) reg.nonPersistent.delete(name);
    else reg.nonPersistent.add(name);
  }

  /**
   * Adds a submodule under `name` (or `null`). Plain assignment of a `Module` does the same.
   * @example this.registerModule('head', new nn.Linear(8, 2))
   */
  registerModule(name: string, module: Module | null): void {
    const reg = this.discover();
    const known = reg.modules.includes(name);
    if (module !== null && !(module instanceof Module)) {
      throw new TypeError(`${typeof module} is not a Module subclass`);
    }
    checkName('module', name, this, known);
    (this as Record<string, unknown>)[name] = module;
    if (!known) reg.modules.push(name);
  }

  /**
   * Alias of `registerModule`.
   * @example seq.addModule('relu', new nn.ReLU())
   */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /**
   * Unregisters and deletes a parameter, buffer or submodule (PyTorch's `delattr(module, name)`).
   * @example seq.deleteAttr('0')
   */
  deleteAttr(name: string): void {
    const reg = this.discover();
    for (const list of [reg.params, reg.buffers, reg.modules]) {
      const i = list.indexOf(name);
      if (i >= 0) list.splice(i, 1);
    }
    reg.nonPersistent.delete(name);
    delete (this as Record<string, unknown>)[name];
  }

  /**
   * The submodule at a dotted path (`'encoder.layers.0'`).
   * @example model.getSubmodule('0') // the first layer of a Sequential
   */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) {
        throw new Error(`${mod.getName()} has no attribute \`${item}\``);
      }
      mod = next;
    }
    return mod;
  }

  // ---- traversal ---------------------------------------------------------------------------

  /**
   * Registered submodules in registration order, a module registered under two names listed
   * twice (what containers iterate).
   * @example seq.registeredChildren().map(([n]) => n) // ['0', '1']
   */
  registeredChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const name of this.discover().modules) {
      const m = this.own<Module>(name);
      if (m !== null) out.push([name, m]);
    }
    return out;
  }

  /**
   * Direct submodules with their names.
   * @example for (const [name, child] of model.namedChildren()) console.log(name)
   */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const name of this.discover().modules) {
      const m = this.own<Module>(name);
      if (m !== null && !seen.has(m)) {
        seen.add(m);
        out.push([name, m]);
      }
    }
    return out;
  }

  /**
   * Direct submodules.
   * @example seq.children().length // number of layers
   */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and all its descendants, each once, with dotted names (`''` for this one).
   * @example model.namedModules().map(([n]) => n) // ['', '0', '1', ...]
   */
  namedModules(prefix = '', memo: Set<Module> = new Set()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const name of this.discover().modules) {
      const m = this.own<Module>(name);
      if (m === null) continue;
      out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name, memo));
    }
    return out;
  }

  /**
   * This module and all its descendants.
   * @example model.modules().filter((m) => m instanceof nn.Linear)
   */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  private namedMembers<T extends Tensor>(
    own: (m: Module) => [string, T][],
    opts: NamedTensorsOptions,
  ): [string, T][] {
    const { prefix = '', recurse = true, removeDuplicate = true } = opts;
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const seen = new Set<Tensor>();
    const out: [string, T][] = [];
    for (const [modPrefix, mod] of mods) {
      for (const [name, t] of own(mod)) {
        if (removeDuplicate) {
          if (seen.has(t)) continue;
          seen.add(t);
        }
        out.push([modPrefix ? `${modPrefix}.${name}` : name, t]);
      }
    }
    return out;
  }

  /**
   * Parameters with dotted names; a parameter shared by several modules appears once.
   * @example model.namedParameters().map(([n, p]) => `${n} ${p.shape}`)
   */
  namedParameters(opts: NamedTensorsOptions = {}): [string, Parameter][] {
    return this.namedMembers((m) => m.ownParams(), opts);
  }

  /**
   * All parameters (each once), e.g. for an optimiser.
   * @example new torch.optim.SGD(model.parameters(), { lr: 0.1 })
   */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters({ recurse }).map(([, p]) => p);
  }

  /**
   * Buffers with dotted names.
   * @example bn.namedBuffers().map(([n]) => n) // ['running_mean', 'running_var', 'num_batches_tracked']
   */
  namedBuffers(opts: NamedTensorsOptions = {}): [string, Tensor][] {
    return this.namedMembers((m) => m.ownBuffers(), opts);
  }

  /**
   * All buffers.
   * @example bn.buffers().length // 3
   */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }

  // ---- modes and transforms ------------------------------------------------------------------

  /**
   * Sets training mode on this module and its descendants; returns this module.
   * @example model.train(); model.train(false)
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /**
   * Evaluation mode (`train(false)`): dropout off, batch norm uses running statistics.
   * @example model.eval()
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Calls `fn` on every descendant and then on this module (children first); returns this module.
   * @example model.apply((m) => { if (m instanceof nn.Linear) nn.init.zeros_(m.weight); })
   */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Sets `requiresGrad` on every parameter (e.g. `false` to freeze); returns this module.
   * @example backbone.requiresGrad_(false)
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Clears the gradients of all parameters: to `null` (default), or to zeros when `setToNone` is false.
   * @example model.zeroGrad()
   */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (setToNone) {
        p.grad = null;
      } else {
        if (g.gradFn !== null) g.detach_();
        else g.requiresGrad_(false);
        noGrad(() => zero_(g));
      }
    }
  }

  /**
   * Moves and/or casts parameters and buffers in place (parameters stay the same objects, their
   * gradients move with them). A dtype converts only floating-point tensors, as in PyTorch.
   * @example model.to('float64'); model.to({ device: 'cpu', dtype: 'float32' })
   */
  to(target: ModuleTarget): this {
    const { device, dtype } =
      typeof target !== 'string'
        ? target
        : (DTYPES as readonly string[]).includes(target)
          ? { device: undefined, dtype: target as DType }
          : { device: target, dtype: undefined };
    if (dtype !== undefined && !isFloatingPoint(dtype)) {
      throw new TypeError(
        `nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`,
      );
    }
    const convert = (t: Tensor): Tensor =>
      noGrad(() => {
        const opts: { device?: string; dtype?: DType } = {};
        if (device !== undefined) opts.device = device;
        if (dtype !== undefined && isFloatingPoint(t.dtype)) opts.dtype = dtype;
        return t.to(opts);
      });
    return this.applyToTensors(convert);
  }

  /**
   * Casts floating-point parameters and buffers to float64.
   * @example model.double()
   */
  double(): this {
    return this.to('float64');
  }

  /**
   * Casts floating-point parameters and buffers to float32.
   * @example model.float()
   */
  float(): this {
    return this.to('float32');
  }

  /**
   * Rewrites every parameter (in place, with its gradient) and buffer with `fn` (PyTorch's `_apply`).
   * @example model.applyToTensors((t) => t.to('float64'))
   */
  applyToTensors(fn: (t: Tensor) => Tensor): this {
    for (const child of this.children()) child.applyToTensors(fn);
    for (const [, p] of this.ownParams()) {
      setData(p, fn(p));
      const g = p.grad;
      if (g !== null) setData(g, fn(g));
    }
    for (const [name, b] of this.ownBuffers()) {
      const moved = fn(b);
      if (moved !== b) (this as Record<string, unknown>)[name] = keep(moved);
    }
    return this;
  }

  // ---- state dict ------------------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's key order (own parameters,
   * own buffers, then each child's): `{ '0.weight': ..., '1.running_mean': ... }`. Values are
   * detached aliases of the live tensors.
   * @example Object.keys(new nn.Sequential(new nn.Linear(2, 2)).stateDict()) // ['0.weight', '0.bias']
   */
  stateDict(opts: StateDictOptions = {}): Record<string, Tensor> {
    const { prefix = '', keepVars = false } = opts;
    const out: Record<string, Tensor> = {};
    this.saveTo(out, prefix, keepVars);
    return out;
  }

  private saveTo(out: Record<string, Tensor>, prefix: string, keepVars: boolean): void {
    for (const [name, p] of this.ownParams()) out[prefix + name] = keepVars ? p : p.detach();
    const nonPersistent = this.registry.nonPersistent;
    for (const [name, b] of this.ownBuffers()) {
      if (!nonPersistent.has(name)) out[prefix + name] = keepVars ? b : b.detach();
    }
    for (const name of this.discover().modules) {
      this.own<Module>(name)?.saveTo(out, `${prefix + name}.`, keepVars);
    }
  }

  /**
   * Copies a state dict's values into the parameters and buffers in place (converting dtype).
   * Shape mismatches throw; with `strict` (default) missing or unexpected keys throw too, in
   * PyTorch's words. Returns the missing and unexpected keys.
   * @example model.loadStateDict(other.stateDict())
   */
  loadStateDict(
    stateDict: Record<string, Tensor>,
    opts: LoadStateDictOptions = {},
  ): IncompatibleKeys {
    const { strict = true } = opts;
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      throw new TypeError(`Expected state_dict to be dict-like, got ${typeof stateDict}.`);
    }
    const sd = { ...stateDict };
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errors: string[] = [];
    const load = (mod: Module, prefix: string) => {
      mod.loadFromStateDict(sd, prefix, missingKeys, unexpectedKeys, errors);
      for (const name of mod.discover().modules) {
        const child = mod.own<Module>(name);
        if (child !== null) load(child, `${prefix + name}.`);
      }
    };
    load(this, '');
    if (strict) {
      if (unexpectedKeys.length > 0) {
        errors.unshift(
          `Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `,
        );
      }
      if (missingKeys.length > 0) {
        errors.unshift(
          `Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `,
        );
      }
    }
    if (errors.length > 0) {
      throw new Error(
        `Error(s) in loading state_dict for ${this.getName()}:\n\t${errors.join('\n\t')}`,
      );
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Loads this module's own entries (under `prefix`) from `stateDict`, recording missing and
   * unexpected keys and errors (PyTorch's `_load_from_state_dict`); subclasses may override it
   * to upgrade old formats.
   * @example // called by loadStateDict for each module
   */
  protected loadFromStateDict(
    stateDict: Record<string, Tensor>,
    prefix: string,
    missingKeys: string[],
    unexpectedKeys: string[],
    errors: string[],
  ): void {
    const nonPersistent = this.registry.nonPersistent;
    const local: [string, Tensor][] = [
      ...this.ownParams(),
      ...this.ownBuffers().filter(([n]) => !nonPersistent.has(n)),
    ];
    for (const [name, dst] of local) {
      const key = prefix + name;
      if (!Object.hasOwn(stateDict, key)) {
        missingKeys.push(key);
        continue;
      }
      const src = stateDict[key];
      if (!(src instanceof Tensor)) {
        errors.push(
          `While copying the parameter named "${key}", expected Tensor from checkpoint but received ${typeof src}`,
        );
        continue;
      }
      if (!sameShape(src.shape, dst.shape)) {
        errors.push(
          `size mismatch for ${key}: copying a param with shape torch.Size([${src.shape.join(', ')}]) from checkpoint, the shape in current model is torch.Size([${dst.shape.join(', ')}]).`,
        );
        continue;
      }
      try {
        noGrad(() => copy_(dst, src));
      } catch (e) {
        errors.push(
          `While copying the parameter named "${key}", whose dimensions in the model are torch.Size([${dst.shape.join(', ')}]) and whose dimensions in the checkpoint are torch.Size([${src.shape.join(', ')}]), an exception occurred : ${(e as Error).message}.`,
        );
      }
    }
    const localNames = new Set(local.map(([n]) => n));
    const reg = this.discover();
    for (const key of Object.keys(stateDict)) {
      if (!key.startsWith(prefix)) continue;
      const head = key.slice(prefix.length).split('.', 1)[0]!;
      if (!reg.modules.includes(head) && !localNames.has(head)) unexpectedKeys.push(key);
    }
  }

  // ---- printing --------------------------------------------------------------------------------

  /**
   * The class name shown in reprs and errors.
   * @example new nn.Linear(2, 3).getName() // 'Linear'
   */
  getName(): string {
    return this.constructor.name;
  }

  /**
   * The text inside the parentheses of this module's repr line; subclasses override it.
   * @example new nn.Linear(4, 3).extraRepr() // 'in_features=4, out_features=3, bias=True'
   */
  extraRepr(): string {
    return '';
  }

  /**
   * PyTorch's module repr: the name, `extraRepr()`, and each child indented as `(name): ...`.
   * @example String(new nn.Sequential(new nn.Linear(4, 3))) // 'Sequential(\n  (0): Linear(in_features=4, out_features=3, bias=True)\n)'
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const name of this.discover().modules) {
      const m = this.own<Module>(name);
      childLines.push(`(${name}): ${addIndent(m === null ? 'None' : m.toString(), 2)}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = `${this.getName()}(`;
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${main})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `copy.deepcopy` for the values a module holds; `memo` keeps shared objects shared. */
function deepCopyValue(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (memo.has(v)) return memo.get(v);
  let out: unknown;
  if (v instanceof Module) {
    return (v as unknown as { copyInto(m: Map<unknown, unknown>): Module }).copyInto(memo);
  } else if (v instanceof Parameter) {
    out = new Parameter(
      noGrad(() => clone(v)),
      v.requiresGrad,
    );
  } else if (v instanceof Tensor) {
    const c = noGrad(() => clone(v));
    if (v.requiresGrad && v.gradFn === null) c.requiresGrad_(true);
    out = c;
  } else if (Array.isArray(v)) {
    const arr: unknown[] = [];
    memo.set(v, arr);
    for (const x of v) arr.push(deepCopyValue(x, memo));
    return arr;
  } else if (ArrayBuffer.isView(v)) {
    out = (v as unknown as { slice(): unknown }).slice();
  } else if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(deepCopyValue(k, memo), deepCopyValue(x, memo));
    return m;
  } else if (v instanceof Set) {
    const st = new Set();
    memo.set(v, st);
    for (const x of v) st.add(deepCopyValue(x, memo));
    return st;
  } else {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v; // Other class instances are shared.
    const o: Record<PropertyKey, unknown> = Object.create(proto);
    memo.set(v, o);
    for (const key of Reflect.ownKeys(v)) {
      o[key] = deepCopyValue((v as Record<PropertyKey, unknown>)[key], memo);
    }
    return o;
  }
  memo.set(v, out);
  return out;
}
