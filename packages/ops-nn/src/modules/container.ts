import type { Tensor } from '@autodag/core';
import { Module } from './module.js';

function normIndex(kind: string, idx: number, length: number): number {
  if (!Number.isInteger(idx)) throw new TypeError(`${kind} indices must be integers, not ${idx}`);
  const i = idx < 0 ? idx + length : idx;
  if (i < 0 || i >= length) throw new RangeError(`index ${idx} is out of range`);
  return i;
}

/** Base of the numbered containers: children named '0', '1', ... in order. */
abstract class IndexedContainer extends Module {
  /** The children in order, duplicates kept (a layer listed twice runs twice). */
  protected items(): Module[] {
    return this.registeredChildren().map(([, m]) => m);
  }

  /** Replaces all children with `mods`, renumbered from 0. */
  protected renumber(mods: Module[]): void {
    for (const [name] of this.registeredChildren()) this.deleteAttr(name);
    for (const [i, m] of mods.entries()) this.registerModule(String(i), m);
  }

  /**
   * Number of children.
   * @example new nn.ModuleList([new nn.ReLU()]).length // 1
   */
  get length(): number {
    return this.items().length;
  }

  /**
   * The child at `idx` (negative counts from the end).
   * @example seq.get(-1) // the last layer
   */
  get(idx: number): Module {
    const items = this.items();
    return items[normIndex(this.getName(), idx, items.length)]!;
  }

  /**
   * Replaces the child at `idx`.
   * @example seq.set(0, new nn.Linear(4, 4))
   */
  set(idx: number, module: Module): void {
    const named = this.registeredChildren();
    const i = normIndex(this.getName(), idx, named.length);
    this.registerModule(named[i]![0], module);
  }

  /**
   * Adds `module` at the end; returns this container.
   * @example list.append(new nn.Linear(4, 4))
   */
  append(module: Module): this {
    this.registerModule(String(this.items().length), module);
    return this;
  }

  /**
   * Appends every module of `modules`; returns this container.
   * @example list.extend([new nn.ReLU(), new nn.Tanh()])
   */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /**
   * Inserts `module` before position `index` (negative counts from the end), renumbering the rest.
   * @example list.insert(0, new nn.Identity())
   */
  insert(index: number, module: Module): void {
    const items = this.items();
    let i = index < 0 ? index + items.length : index;
    i = Math.max(0, Math.min(items.length, i));
    items.splice(i, 0, module);
    this.renumber(items);
  }

  /**
   * Removes and returns the child at `idx` (default the last), renumbering the rest.
   * @example seq.pop()
   */
  pop(idx = -1): Module {
    const items = this.items();
    const i = normIndex(this.getName(), idx, items.length);
    const [m] = items.splice(i, 1);
    this.renumber(items);
    return m!;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items()[Symbol.iterator]();
  }
}

/**
 * Runs its children in order, each on the previous one's output (PyTorch's `nn.Sequential`).
 * Children are named '0', '1', ... or by the keys of an object. `call` takes and returns a
 * `Tensor`; a chain of other types names them: `new nn.Sequential<In, Out>(...)`.
 * @example
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * const named = new nn.Sequential({ fc: new nn.Linear(4, 2), act: new nn.Tanh() });
 * model.call(torch.randn(3, 4)).shape // [3, 2]: a Tensor in the types too
 */
export class Sequential<In = Tensor, Out = Tensor> extends IndexedContainer {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const [first] = modules;
    if (modules.length === 1 && !(first instanceof Module) && typeof first === 'object') {
      for (const [name, m] of Object.entries(first as Record<string, Module>)) {
        this.registerModule(name, m);
      }
    } else {
      for (const [i, m] of (modules as Module[]).entries()) this.registerModule(String(i), m);
    }
  }

  /**
   * A new Sequential holding the children from `start` to `end` (exclusive) under their names,
   * like `seq[a:b]` (so `seq.slice(1)` holds `'1'`, `'2'`, ...).
   * @example seq.slice(0, 2)
   */
  slice(start = 0, end?: number): Sequential {
    const out = new Sequential();
    for (const [name, m] of this.registeredChildren().slice(start, end)) {
      out.registerModule(name, m);
    }
    return out;
  }

  /**
   * Feeds `input` through every child in order.
   * @example model.call(torch.randn(3, 4))
   */
  override forward(input: In): Out {
    let x: unknown = input;
    for (const m of this.items()) x = m.call(x);
    // The children's types are not tracked: the chain is trusted to map In to Out.
    return x as Out;
  }
}

/**
 * Holds submodules in a list, registering them (PyTorch's `nn.ModuleList`); it has no forward.
 * @example
 * const blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
 * for (const b of blocks) x = b.call(x);
 */
export class ModuleList extends IndexedContainer {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /**
   * The children in `[start, end)` as a new ModuleList.
   * @example list.slice(1)
   */
  slice(start = 0, end?: number): ModuleList {
    return new ModuleList(this.items().slice(start, end));
  }
}

/**
 * Holds submodules by name in insertion order (PyTorch's `nn.ModuleDict`). Iterating yields the keys.
 * @example
 * const heads = new nn.ModuleDict({ cls: new nn.Linear(8, 10), box: new nn.Linear(8, 4) });
 * heads.get('cls').call(x)
 */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  /**
   * The module under `key`; throws for an unknown key.
   * @example heads.get('cls')
   */
  get(key: string): Module {
    const m = this.registeredChildren().find(([k]) => k === key);
    if (!m) throw new RangeError(`ModuleDict: no module named '${key}'`);
    return m[1];
  }

  /**
   * Adds or replaces the module under `key`.
   * @example heads.set('seg', new nn.Conv2d(8, 2, 1))
   */
  set(key: string, module: Module): void {
    this.registerModule(key, module);
  }

  /**
   * Whether `key` is present.
   * @example heads.has('cls') // true
   */
  has(key: string): boolean {
    return this.keys().includes(key);
  }

  /**
   * Removes and returns the module under `key`.
   * @example heads.pop('box')
   */
  pop(key: string): Module {
    const m = this.get(key);
    this.deleteAttr(key);
    return m;
  }

  /**
   * Removes every module.
   * @example heads.clear()
   */
  clear(): void {
    for (const k of this.keys()) this.deleteAttr(k);
  }

  /**
   * Adds the entries of an object, a Map or pairs, in order.
   * @example heads.update({ extra: new nn.Identity() })
   */
  update(modules: Record<string, Module> | Iterable<[string, Module]>): void {
    const entries =
      Symbol.iterator in Object(modules)
        ? [...(modules as Iterable<[string, Module]>)]
        : Object.entries(modules as Record<string, Module>);
    for (const [k, m] of entries) this.registerModule(k, m);
  }

  /** The keys in insertion order. @example heads.keys() // ['cls', 'box'] */
  keys(): string[] {
    return this.registeredChildren().map(([k]) => k);
  }

  /** The modules in insertion order. @example heads.values() */
  values(): Module[] {
    return this.registeredChildren().map(([, m]) => m);
  }

  /** `[key, module]` pairs in insertion order. @example for (const [k, m] of heads.items()) ... */
  items(): [string, Module][] {
    return this.registeredChildren();
  }

  /** Number of modules. @example heads.length // 2 */
  get length(): number {
    return this.keys().length;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }
}
