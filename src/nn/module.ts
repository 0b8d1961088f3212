// nn.Module, as MLX's mlx.nn.Module: a tree of parameters and submodules read
// from the object's own fields. An MxArray field is a parameter, a Module
// field a child, JS arrays and plain objects of them are walked; a field
// whose name starts with `_` is private (never a parameter). Parameter trees
// are plain objects and lists, flattened to MLX's dotted keys by mx.utils.

import { MxArray } from "../array.js";
import { DType, isFloating } from "../dtype.js";
import { describeValue } from "../errors.js";
import * as ops from "../ops/index.js";
import { isPlainObject, treeFields } from "../transforms/tree.js";
import { treeFlatten } from "../transforms/utils.js";
import { checkBool, keywords, options } from "./checks.js";
import { noExtraArguments } from "../ops/strict-options.js";
import type { PositionalThen } from "../argument-checks.js";
import { loadWeightsInto, saveWeightsOf, type LoadWeightsOptions } from "./weights.js";

/** A tree of parameters: arrays in nested plain objects and lists, as `parameters()` returns it. */
export type ParamTree = MxArray | ParamTree[] | Params;
/** The parameters of a module: field name to subtree. */
export interface Params {
  [key: string]: ParamTree;
}
/** A tree of modules, as `children()` and `leafModules()` return it. */
export type ModuleTree = Module | ModuleTree[] | { [key: string]: ModuleTree };

/** Decides whether `value`, found under `key` in `module`, is kept. */
export type FilterFn = (module: Module, key: string, value: unknown) => boolean;
/** The map `filterAndMap` applies to each kept value. */
export type MapFn = (value: unknown) => unknown;

const isContainer = (v: unknown): v is Module | unknown[] | Record<string, unknown> => v instanceof Module || Array.isArray(v) || isPlainObject(v);
const fields = (m: Module) => m as unknown as Record<string, unknown>;
const typeName = (v: unknown) => (v instanceof MxArray ? "MxArray" : v instanceof Module ? v.constructor.name : describeValue(v));
/** An empty object or list: what the trees hold for a place without parameters (a function layer, a parameterless module). */
const isEmpty = (v: unknown) => (isPlainObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
const ownKey = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

export interface UpdateOptions {
  /** Refuse keys the module does not have and leaves of the wrong kind (default true). */
  strict?: boolean | undefined;
}

export interface FreezeOptions {
  /** Also (un)freeze every submodule (default true). */
  recurse?: boolean | undefined;
  /** The local parameter names to (un)freeze (e.g. "bias"); default: all. */
  keys?: string | readonly string[] | undefined;
  /** Refuse keys that no module has (default false). */
  strict?: boolean | undefined;
}

/**
 * The base class of every layer and model (MLX's `nn.Module`). Declare
 * parameters and submodules as plain fields; `parameters()` finds them.
 * @example
 * ```ts
 * class Affine extends mx.nn.Module {
 *   w = mx.ones([2]);
 *   b = mx.zeros([2]);
 *   _scratch = mx.ones([2]); // private: not a parameter
 *   forward(x: mx.MxArray) { return mx.add(mx.multiply(x, this.w), this.b); }
 * }
 * Object.keys(new Affine().parameters()); // ["w", "b"]
 * ```
 */
export class Module {
  #training = true;
  #noGrad = new Set<string>();

  /**
   * The module itself, as MLX's `Module.state`: the tree of every array it
   * holds (parameters, private arrays, its submodules'), for `mx.eval(model.state)`
   * and compile's captured `inputs` and `outputs`.
   * @example
   * ```ts
   * const model = new mx.nn.Linear(2, 2);
   * await mx.eval(model.state);
   * model.weight.isEvaluated; // true
   * ```
   */
  get state(): this {
    return this;
  }

  /**
   * The fields mx.eval, mx.tidy and compile's captured state walk (MLX's module dict): those holding arrays, lists, objects or modules, private ones included.
   * @internal
   */
  [treeFields](): string[] {
    return Object.entries(this).filter(([, v]) => v instanceof MxArray || isContainer(v)).map(([k]) => k);
  }

  /** Whether the module is in training mode (dropout active, batch statistics used); set by `train()`/`eval()`. */
  get training(): boolean {
    return this.#training;
  }

  /**
   * MLX's parameter filter: arrays, lists, objects and modules whose name does not start with `_`.
   * @example
   * ```ts
   * mx.nn.Module.validParameterFilter(new mx.nn.Identity(), "_cache", mx.zeros([1])); // false
   * ```
   */
  static validParameterFilter(_module: Module, key: string, value: unknown): boolean {
    return (value instanceof MxArray || isContainer(value)) && !key.startsWith("_");
  }

  /**
   * The parameter filter, less the frozen names.
   * @example
   * ```ts
   * const m = new mx.nn.Linear(1, 1).freeze({ keys: "bias" });
   * mx.nn.Module.trainableParameterFilter(m, "bias", m.bias); // false
   * ```
   */
  static trainableParameterFilter(module: Module, key: string, value: unknown): boolean {
    return Module.validParameterFilter(module, key, value) && !module.#noGrad.has(key);
  }

  /**
   * MLX's child filter: modules, lists and objects.
   * @example
   * ```ts
   * mx.nn.Module.validChildFilter(new mx.nn.Identity(), "layers", [new mx.nn.ReLU()]); // true
   * ```
   */
  static validChildFilter(_module: Module, _key: string, value: unknown): boolean {
    return isContainer(value);
  }

  /**
   * The fields kept by `filter` (recursively through submodules, lists and
   * objects), leaves mapped by `map` (MLX's `filter_and_map`).
   * @example
   * ```ts
   * const m = new mx.nn.Linear(2, 3);
   * const shapes = m.filterAndMap(mx.nn.Module.validParameterFilter, (v) => (v as mx.MxArray).shape);
   * shapes; // { weight: [3, 2], bias: [3] }
   * ```
   */
  filterAndMap(filter: FilterFn, map?: MapFn | { mapFn?: MapFn | null | undefined; isLeafFn?: FilterFn | null | undefined } | null, isLeaf?: FilterFn | null): Record<string, unknown> {
    const op = "Module.filterAndMap";
    noExtraArguments(op, arguments, 3);
    const given = keywords(op, [map, isLeaf], ["mapFn", "isLeafFn"]);
    const mapFn = (given.mapFn ?? ((v: unknown) => v)) as MapFn;
    const isLeafFn = (given.isLeafFn ?? ((_m: Module, _k: string, v: unknown) => !isContainer(v))) as FilterFn;
    for (const [n, f] of [["filterFn", filter], ["mapFn", mapFn], ["isLeafFn", isLeafFn]] as const) {
      if (typeof f !== "function") throw new TypeError(`[${op}] ${n} must be a function, got ${describeValue(f)}`);
    }
    const unwrap = (model: Module, key: string, value: unknown): unknown => {
      if (isLeafFn(model, key, value)) return mapFn(value);
      if (value instanceof Module) return value.filterAndMap(filter, mapFn, isLeafFn);
      if (Array.isArray(value)) return value.map((v, i) => (filter(model, `${key}.${i}`, v) ? unwrap(model, `${key}.${i}`, v) : {}));
      const obj = value as Record<string, unknown>;
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, filter(model, `${key}.${k}`, v) ? unwrap(model, `${key}.${k}`, v) : {}]));
    };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (filter(this, k, v)) out[k] = unwrap(this, k, v);
    return out;
  }

  /**
   * Every parameter (array field) of this module and its submodules, as a tree.
   * @example
   * ```ts
   * const model = new mx.nn.Sequential(new mx.nn.Linear(2, 3), new mx.nn.ReLU());
   * mx.utils.treeFlatten(model.parameters()).map(([k]) => k); // ["layers.0.weight", "layers.0.bias"]
   * ```
   */
  parameters(): Params {
    return this.filterAndMap(Module.validParameterFilter) as Params;
  }

  /**
   * The parameters that are not frozen.
   * @example
   * ```ts
   * const m = new mx.nn.Linear(2, 3);
   * m.freeze({ keys: "bias" });
   * Object.keys(m.trainableParameters()); // ["weight"]
   * ```
   */
  trainableParameters(): Params {
    return this.filterAndMap(Module.trainableParameterFilter) as Params;
  }

  /**
   * The direct submodules, in the lists and objects that hold them.
   * @example
   * ```ts
   * const model = new mx.nn.Sequential(new mx.nn.Linear(2, 3), new mx.nn.ReLU());
   * const kids = model.children() as { layers: mx.nn.Module[] };
   * kids.layers.length; // 2
   * ```
   */
  children(): Record<string, unknown> {
    return this.filterAndMap(Module.validChildFilter, undefined, (_m, _k, v) => v instanceof Module);
  }

  /**
   * The submodules whose `children()` flatten to nothing (MLX's
   * `leaf_modules`; treeFlatten walks modules as dicts): a module whose
   * submodules hold no arrays (a Sequential of a ReLU) is the leaf, not them.
   * @example
   * ```ts
   * const isModule = (v: unknown) => v instanceof mx.nn.Module;
   * const model = new mx.nn.Sequential(new mx.nn.Linear(2, 3), new mx.nn.ReLU());
   * mx.utils.treeFlatten(model.leafModules(), { isLeaf: isModule }).map(([k]) => k); // ["layers.0", "layers.1"]
   * const nested = new mx.nn.Sequential(new mx.nn.Sequential(new mx.nn.ReLU()), new mx.nn.Linear(1, 1));
   * mx.utils.treeFlatten(nested.leafModules(), { isLeaf: isModule }).map(([k]) => k); // ["layers.0", "layers.1"]
   * ```
   */
  leafModules(): Record<string, unknown> {
    const isLeafModule: FilterFn = (_m, _k, v) => v instanceof Module && treeFlatten(v.children()).length === 0;
    return this.filterAndMap(Module.validChildFilter, undefined, isLeafModule);
  }

  /**
   * Replaces parameters with those of `params` (a full or partial tree, as
   * `parameters()` gives). With `strict` (the default) a key the module lacks
   * or a non-array where an array is, is an error; MLX's
   * `update(parameters, strict)` takes it positionally, as here, or in the options.
   * @example
   * ```ts
   * const m = new mx.nn.Linear(2, 1);
   * m.update({ bias: mx.array([5], mx.float32) });
   * await m.bias!.tolist(); // [5]
   * ```
   */
  update(params: Record<string, unknown>, strict: boolean | UpdateOptions = true): this {
    noExtraArguments("Module.update", arguments, 2);
    const isStrict = checkBool("Module.update", "strict", keywords("Module.update", [strict], ["strict"]).strict ?? true);
    const apply = (dst: Record<string, unknown> | unknown[], src: unknown, path: string): void => {
      const set = (k: string | number, newValue: unknown) => {
        const where = path ? `${path}.${k}` : String(k);
        const current = (dst as Record<string | number, unknown>)[k];
        if (current instanceof MxArray) {
          if (isStrict && !(newValue instanceof MxArray)) throw new TypeError(`[Module.update] parameter '${where}' must be replaced by an MxArray, got ${typeName(newValue)}`);
          (dst as Record<string | number, unknown>)[k] = newValue;
        } else if (isContainer(current)) apply(current instanceof Module ? fields(current) : current, newValue, where);
        else if (isStrict && !isEmpty(newValue)) throw new Error(`[Module.update] '${where}' is not a parameter (it holds ${typeName(current)})`);
      };
      if (Array.isArray(src)) {
        if (!Array.isArray(dst)) {
          if (isStrict) throw new TypeError(`[Module.update] '${path}' is not a list in the module, got a list of parameters`);
          return;
        }
        src.forEach((v, i) => {
          if (i < dst.length) set(i, v);
          else if (isStrict) throw new RangeError(`[Module.update] list index ${i} is out of bounds for '${path}' of length ${dst.length}`);
        });
      } else if (isPlainObject(src)) {
        for (const [k, v] of Object.entries(src)) {
          if (!Array.isArray(dst) && ownKey(dst, k)) set(k, v);
          else if (isStrict) throw new Error(`[Module.update] the module has no parameter named '${path ? `${path}.${k}` : k}'`);
        }
      } else if (isStrict) throw new TypeError(`[Module.update] '${path || "params"}' must be an object or a list, got ${typeName(src)}`);
    };
    apply(fields(this), params, "");
    return this;
  }

  /**
   * Replaces submodules with those of `modules` (a partial tree as
   * `children()` gives), to swap layers in place (MLX's `update_modules`);
   * `strict` (default true) positionally, as MLX's, or in the options.
   * @example
   * ```ts
   * const model = new mx.nn.Sequential(new mx.nn.Linear(2, 2), new mx.nn.ReLU());
   * model.updateModules({ layers: [{}, new mx.nn.GELU()] });
   * model.layers[1]!.constructor.name; // "GELU"
   * ```
   */
  updateModules(modules: Record<string, unknown>, strict: boolean | UpdateOptions = true): this {
    noExtraArguments("Module.updateModules", arguments, 2);
    const isStrict = checkBool("Module.updateModules", "strict", keywords("Module.updateModules", [strict], ["strict"]).strict ?? true);
    const apply = (dst: Record<string, unknown> | unknown[], src: unknown, path: string): void => {
      const set = (k: string | number, newValue: unknown) => {
        const where = path ? `${path}.${k}` : String(k);
        const current = (dst as Record<string | number, unknown>)[k];
        if (current instanceof Module && newValue instanceof Module) (dst as Record<string | number, unknown>)[k] = newValue;
        else if (isContainer(current)) apply(current instanceof Module ? fields(current) : current, newValue, where);
        else if (isStrict && !isEmpty(newValue)) throw new TypeError(`[Module.updateModules] '${where}' is not a module, got ${typeName(newValue)}`);
      };
      if (Array.isArray(src)) {
        if (!Array.isArray(dst)) {
          if (isStrict) throw new TypeError(`[Module.updateModules] '${path}' is not a list in the module`);
          return;
        }
        src.forEach((v, i) => {
          if (i < dst.length) set(i, v);
          else if (isStrict) throw new RangeError(`[Module.updateModules] list index ${i} is out of bounds for '${path}' of length ${dst.length}`);
        });
      } else if (isPlainObject(src)) {
        for (const [k, v] of Object.entries(src)) {
          if (!Array.isArray(dst) && ownKey(dst, k)) set(k, v);
          else if (isStrict) throw new Error(`[Module.updateModules] the module has no submodule named '${path ? `${path}.${k}` : k}'`);
        }
      } else if (isStrict) throw new TypeError(`[Module.updateModules] '${path || "modules"}' must be an object or a list, got ${typeName(src)}`);
    };
    apply(fields(this), modules, "");
    return this;
  }

  /**
   * Maps every parameter kept by `filter` (default: all) through `fn` and
   * stores the results, e.g. to cast a model.
   * @example
   * ```ts
   * const m = new mx.nn.Linear(2, 2).apply((p) => p.astype(mx.float16));
   * m.weight.dtype.name; // "float16"
   * ```
   */
  apply(fn: (p: MxArray) => MxArray, filterFn?: FilterFn | { filterFn?: FilterFn | null | undefined } | null): this {
    noExtraArguments("Module.apply", arguments, 2);
    if (typeof fn !== "function") throw new TypeError(`[Module.apply] fn must be a function, got ${describeValue(fn)}`);
    const filter = (keywords("Module.apply", [filterFn], ["filterFn"]).filterFn ?? Module.validParameterFilter) as FilterFn;
    if (typeof filter !== "function") throw new TypeError(`[Module.apply] filterFn must be a function, got ${describeValue(filter)}`);
    return this.update(this.filterAndMap(filter, (v) => fn(v as MxArray)));
  }

  /**
   * Casts the parameters whose dtype `predicate` accepts (default: the
   * floating ones; `null`: every parameter, as MLX's `predicate=None`) to
   * `dtype` (MLX's `set_dtype`).
   * @example
   * ```ts
   * const m = new mx.nn.Linear(2, 2);
   * m.setDtype(mx.bfloat16);
   * m.weight.dtype.name; // "bfloat16"
   * ```
   */
  setDtype(dtype: DType, predicate?: ((d: DType) => boolean) | { predicate?: ((d: DType) => boolean) | null | undefined } | null): this {
    noExtraArguments("Module.setDtype", arguments, 2);
    if (!(dtype instanceof DType)) throw new TypeError(`[Module.setDtype] dtype must be an mx dtype, got ${describeValue(dtype)}`);
    const given = keywords("Module.setDtype", [predicate], ["predicate"]);
    // an explicit null is MLX's predicate=None (every parameter); left out, the default (the floating ones)
    const keep = (given.predicate === undefined ? isFloating : given.predicate) as ((d: DType) => boolean) | null;
    if (keep !== null && typeof keep !== "function") throw new TypeError(`[Module.setDtype] predicate must be a function or null (every parameter), got ${describeValue(keep)}`);
    return this.apply((p) => (keep === null || keep(p.dtype) ? ops.astype(p, dtype) : p));
  }

  /**
   * Calls `fn(path, module)` on this module (path "") and every submodule, in MLX's order.
   * @example
   * ```ts
   * const model = new mx.nn.Sequential(new mx.nn.Linear(2, 2), new mx.nn.ReLU());
   * const names: string[] = [];
   * model.applyToModules((path) => names.push(path));
   * names; // ["", "layers.1", "layers.0"]
   * ```
   */
  applyToModules(fn: (path: string, module: Module) => unknown): this {
    if (typeof fn !== "function") throw new TypeError(`[Module.applyToModules] fn must be a function, got ${describeValue(fn)}`);
    const stack: [string, Module][] = [["", this]];
    while (stack.length) {
      const [prefix, mod] = stack.pop()!;
      fn(prefix, mod);
      for (const [k, v] of treeFlatten(mod.children(), { prefix, isLeaf: isModule })) if (v instanceof Module) stack.push([k, v]);
    }
    return this;
  }

  /**
   * This module and every submodule.
   * @example
   * ```ts
   * new mx.nn.Sequential(new mx.nn.Linear(2, 2), new mx.nn.ReLU()).modules().length; // 3
   * ```
   */
  modules(): Module[] {
    const out: Module[] = [];
    this.applyToModules((_k, m) => out.push(m));
    return out;
  }

  /**
   * This module and every submodule, with their dotted paths.
   * @example
   * ```ts
   * new mx.nn.Sequential(new mx.nn.Linear(2, 2)).namedModules().map(([k]) => k); // ["", "layers.0"]
   * ```
   */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    this.applyToModules((k, m) => out.push([k, m]));
    return out;
  }

  #keysOf(op: string, keys: FreezeOptions["keys"]): readonly string[] | undefined {
    if (keys === undefined) return undefined;
    const list = typeof keys === "string" ? [keys] : keys;
    if (!Array.isArray(list) || list.some((k) => typeof k !== "string")) throw new TypeError(`[Module.${op}] keys must be a string or a list of strings, got ${describeValue(keys)}`);
    return list;
  }

  #checkKeys(op: string, keys: readonly string[], recurse: boolean): void {
    const mods = recurse ? this.modules() : [this];
    // a member is what MLX's module dict holds: a field with an array, a module, a list or an object (not a setting such as `eps`)
    const holds = (m: Module, k: string) => ownKey(m, k) && (fields(m)[k] instanceof MxArray || isContainer(fields(m)[k]));
    for (const k of keys) if (!mods.some((m) => holds(m, k))) throw new Error(`[Module.${op}] the module has no member named '${k}'`);
  }

  #setFrozen(op: "freeze" | "unfreeze", o: FreezeOptions): this {
    const method = `Module.${op}`;
    const p = options(method, o, ["recurse", "keys", "strict"]);
    const keys = this.#keysOf(op, p.keys);
    const recurse = checkBool(method, "recurse", p.recurse ?? true);
    if (checkBool(method, "strict", p.strict ?? false) && keys) this.#checkKeys(op, keys, recurse);
    const visit = (_p: string, m: Module) => {
      if (op === "unfreeze") {
        if (keys) keys.forEach((k) => m.#noGrad.delete(k));
        else m.#noGrad.clear();
        return;
      }
      const local = keys ?? treeFlatten(m.filterAndMap((mm, k, v) => !(v instanceof Module) && Module.validParameterFilter(mm, k, v))).map(([k]) => k);
      local.forEach((k) => m.#noGrad.add(k));
    };
    if (recurse) this.applyToModules(visit);
    else visit("", this);
    return this;
  }

  /**
   * Freezes parameters (no gradient in `nn.valueAndGrad`, left out of
   * `trainableParameters()`): all of them, or the names in `keys`.
   * @example
   * ```ts
   * const model = new mx.nn.Sequential(new mx.nn.Linear(2, 2), new mx.nn.Linear(2, 1));
   * model.freeze();
   * mx.utils.treeFlatten(model.trainableParameters()).length; // 0
   * ```
   */
  freeze(o: FreezeOptions = {}): this {
    return this.#setFrozen("freeze", o);
  }

  /**
   * Unfreezes parameters: all of them, or the names in `keys`.
   * @example
   * ```ts
   * const m = new mx.nn.Linear(2, 2).freeze().unfreeze({ keys: ["bias"] });
   * Object.keys(m.trainableParameters()); // ["bias"]
   * ```
   */
  unfreeze(o: FreezeOptions = {}): this {
    return this.#setFrozen("unfreeze", o);
  }

  /**
   * Sets training mode (`mode`, default true) on this module and its submodules.
   * @example
   * ```ts
   * const dropout = new mx.nn.Dropout(0.5);
   * const model = new mx.nn.Sequential(dropout);
   * model.eval();
   * dropout.training; // false
   * model.train();
   * dropout.training; // true
   * ```
   */
  train(mode: boolean | { mode?: boolean | undefined } = true): this {
    noExtraArguments("Module.train", arguments, 1);
    const on: unknown = keywords("Module.train", [mode], ["mode"]).mode ?? true;
    if (typeof on !== "boolean") throw new TypeError(`[Module.train] mode must be a boolean, got ${describeValue(on)}`);
    return this.applyToModules((_k, m) => {
      m.#training = on;
      m.trainingModeChanged(on);
    });
  }

  /**
   * Called on each module when `train()` or `eval()` sets its mode (MLX's
   * `_set_training_mode`): a layer whose parameters depend on the mode
   * (QQLinear quantizes its weight for evaluation) overrides it.
   */
  protected trainingModeChanged(_training: boolean): void {}

  /**
   * Sets evaluation mode (`train(false)`): dropout off, running statistics used.
   * @example
   * ```ts
   * new mx.nn.Dropout().eval().training; // false
   * ```
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Loads parameters (MLX's `load_weights`) from an .npz or .safetensors file
   * (as `saveWeights` or MLX's `save_weights` write it), a list of
   * `[dotted key, array]` pairs, or an object of them. `strict` (default
   * true) requires exactly the module's parameters with their shapes; off,
   * the given ones are updated and the rest kept; MLX's
   * `load_weights(file, strict)` takes it positionally, as here, or in the
   * options. `stream` places arrays loaded from a file.
   * @example
   * ```ts
   * const model = new mx.nn.Linear(2, 1);
   * model.loadWeights([["weight", mx.array([[1, 2]], mx.float32)], ["bias", mx.array([3], mx.float32)]]);
   * await model.forward(mx.array([[1, 1]], mx.float32)).tolist(); // [[6]]
   * model.loadWeights([["bias", mx.array([0], mx.float32)]], false);
   * await model.forward(mx.array([[1, 1]], mx.float32)).tolist(); // [[3]]
   * ```
   */
  loadWeights(weights: string | readonly (readonly [string, MxArray])[] | Record<string, MxArray>, ...rest: PositionalThen<[["strict", boolean]], LoadWeightsOptions>): this {
    noExtraArguments("Module.loadWeights", arguments, 3);
    loadWeightsInto(this, weights, keywords("Module.loadWeights", rest, ["strict", "stream"]) as LoadWeightsOptions);
    return this;
  }

  /**
   * The configuration printed between the parentheses of `toString()`
   * (MLX's `_extra_repr`, with the option names of this API):
   * `inputDims=2, outputDims=3, bias=true` for a Linear. A layer overrides it;
   * the base prints nothing.
   */
  protected extraRepr(): string {
    return "";
  }

  /**
   * The module tree as MLX prints it (its `__repr__`): the class name with its
   * configuration, then each submodule on its own line, `(dotted path): ...`,
   * indented. `console.log(model)` prints the same.
   * @example
   * ```ts
   * const model = new mx.nn.Sequential(new mx.nn.Linear(2, 3), new mx.nn.ReLU());
   * String(model); // "Sequential(\n  (layers.0): Linear(inputDims=2, outputDims=3, bias=true)\n  (layers.1): ReLU()\n)"
   * ```
   */
  toString(): string {
    const children = treeFlatten(this.children(), { isLeaf: isModule }).filter((kv): kv is [string, Module] => kv[1] instanceof Module);
    const lines = children.map(([k, v]) => `(${k}): ${v.toString()}`.replace(/^(?=.)/gm, "  "));
    return `${this.constructor.name}(${this.extraRepr()}${lines.map((l) => `\n${l}`).join("")}${lines.length ? "\n" : ""})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /**
   * Writes the parameters (MLX's `save_weights`) to `file`, flattened to
   * dotted keys: `.npz` (mx.savez) or `.safetensors` (mx.saveSafetensors),
   * so MLX's `load_weights` reads it.
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "model.safetensors");
   * const model = new mx.nn.Linear(2, 1);
   * await model.saveWeights(file);
   * new mx.nn.Linear(2, 1).loadWeights(file).weight.shape; // [1, 2]
   * ```
   */
  async saveWeights(file: string): Promise<void> {
    await saveWeightsOf(this, file);
  }
}

/**
 * Whether `v` is a Module (the leaf test for module trees, as MLX's `Module.is_module`).
 * @example
 * ```ts
 * [mx.nn.isModule(new mx.nn.ReLU()), mx.nn.isModule({})]; // [true, false]
 * ```
 */
export function isModule(v: unknown): v is Module {
  return v instanceof Module;
}
