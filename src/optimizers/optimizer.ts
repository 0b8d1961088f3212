// The optimizer base class, as MLX's mlx.optimizers.Optimizer: a state tree
// (the step count, scheduled hyperparameters, and per-parameter entries in
// the shape of the parameter tree), `init`, `applyGradients` and `update`.

import { MxArray } from "../array.js";
import { uint64 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import * as ops from "../ops/index.js";
import { isPlainObject } from "../transforms/tree.js";
import { checkLearningRate, type Schedule } from "./checks.js";

/** A tree of arrays: nested plain objects and lists with arrays at the leaves, as `model.parameters()` gives it. */
export type Tree = MxArray | Tree[] | { [key: string]: Tree };
/** An optimizer's state: `step`, scheduled values, and per-parameter states under the parameters' keys. */
export type OptimizerState = Record<string, unknown>;
/** The per-parameter state an optimizer keeps (moments and the like), keyed as MLX keys them. */
export type ParameterState = Record<string, MxArray>;

/**
 * What `update` accepts: a model with `update(params)` (an nn.Module) and,
 * for its parameters, `parameters()`; or a plain object tree of parameters,
 * updated in place as MLX updates a dict (Python's `dict.update`).
 */
export type Updatable = { update(params: never): unknown; parameters?(): unknown } | Record<string, unknown>;

/** The parameter tree of a model (its `parameters()`) or the tree itself. */
export function parameterTree(x: unknown): unknown {
  const p = (x as { parameters?: unknown } | null)?.parameters;
  return x !== null && typeof x === "object" && !isPlainObject(x) && typeof p === "function" ? (p as () => unknown).call(x) : x;
}

/**
 * Throws unless `model` is what `update` accepts: an object with an
 * `update(params)` method (an nn.Module), or a plain object tree.
 */
export function checkUpdatable(op: string, model: unknown): void {
  const update = (model as { update?: unknown } | null)?.update;
  if (isPlainObject(model) || (model !== null && typeof model === "object" && typeof update === "function")) return;
  throw opError(op, `model must have an update(params) method (an nn.Module) or be a plain object tree of parameters, got ${describeValue(model)}`, [], "type");
}

/**
 * `model.update(params)`, or for a plain object tree without an update
 * method its top-level entries replaced by those of `params`, as Python's
 * `dict.update` does (MLX's `optimizer.update({}, {})` relies on it).
 */
export function updateModel(model: Updatable, params: unknown): void {
  const update = (model as { update?: unknown }).update;
  if (typeof update === "function") update.call(model, params);
  else Object.assign(model, params);
}

const join = (path: string, k: string | number) => (path ? `${path}.${k}` : String(k));

/**
 * The base class of the optimizers: subclasses say how one parameter's state
 * starts (`initSingle`) and how one parameter is updated (`applySingle`);
 * the base walks the trees. The state keeps MLX's keys (`step`,
 * `learning_rate`, `m`, `v`, ...), so a state saved by MLX loads here.
 * @example
 * ```ts
 * const opt = new mx.optimizers.SGD(0.1);
 * const params = { w: mx.array([1, 2], mx.float32) };
 * const next = opt.applyGradients({ w: mx.array([10, 10], mx.float32) }, params) as { w: mx.MxArray };
 * await next.w.tolist(); // [0, 1]
 * ```
 */
export abstract class Optimizer {
  /** The name errors carry (`optimizers.SGD`). */
  protected readonly op: string;
  private stateTree: OptimizerState;
  private initialized = false;
  private readonly schedulers = new Map<string, Schedule>();

  /** `op`: the name errors carry (`optimizers.SGD`; a subclass passes its own). */
  protected constructor(op: string) {
    if (typeof op !== "string" || op === "") throw opError("optimizers.Optimizer", `op must be a non-empty string (the name errors carry), got ${describeValue(op)}`, [], "type");
    this.op = op;
    this.stateTree = { step: ops.array(0, uint64) };
  }

  /** The state tree: `step`, the learning rate and the other scheduled values, and each parameter's state. Setting it (a tree loaded from a checkpoint, say) starts from it. */
  get state(): OptimizerState {
    return this.stateTree;
  }
  set state(state: OptimizerState) {
    if (!isPlainObject(state)) throw opError(`${this.op}.state`, `state must be an object (a state tree), got ${describeValue(state)}`, [], "type");
    if (!(state.step instanceof MxArray)) throw opError(`${this.op}.state`, `state.step must be an array (the step count), got ${describeValue(state.step)}`, [], "type");
    this.initialized = false;
    this.stateTree = state;
  }

  /** The number of updates applied so far (a uint64 scalar array). */
  get step(): MxArray {
    return this.stateTree.step as MxArray;
  }

  /** The current learning rate (a scalar array); setting it replaces the value (a schedule still sets it at the next update). */
  get learningRate(): MxArray {
    return this.stateTree.learning_rate as MxArray;
  }
  set learningRate(lr: number | MxArray) {
    const v = checkLearningRate(`${this.op}.learningRate`, lr);
    if (typeof v === "function") throw opError(`${this.op}.learningRate`, "learningRate must be a number or a scalar array; pass a schedule to the constructor", [], "type");
    this.stateTree.learning_rate = ops.array(v);
  }

  /** Puts hyperparameter `name` in the state, on a schedule of the step when it is a function. */
  protected maybeSchedule(name: string, value: number | MxArray | Schedule): void {
    if (typeof value === "function") {
      this.schedulers.set(name, value);
      this.stateTree[name] = this.scheduled(value);
    } else this.stateTree[name] = ops.array(value);
  }

  private scheduled(fn: Schedule): MxArray {
    const v = fn(this.step);
    if (v instanceof MxArray) return v;
    if (typeof v === "number") return ops.array(v);
    throw opError(this.op, `a schedule must return a number or an array, got ${describeValue(v)}`, [], "type");
  }

  /**
   * Sets up the state of every parameter of `parameters` that has none yet
   * (MLX's `init`); optional, since the first update does it, but it makes
   * the state readable before the first step.
   * @example
   * ```ts
   * const opt = new mx.optimizers.Adam(1e-3);
   * opt.init({ w: mx.zeros([2]), b: mx.zeros([1]) });
   * Object.keys(opt.state); // ["step", "learning_rate", "w", "b"]
   * Object.keys(opt.state.w as object); // ["m", "v"]
   * ```
   */
  init(parameters: unknown): void {
    const op = `${this.op}.init`;
    const tree = parameterTree(parameters);
    if (!isPlainObject(tree)) throw opError(op, `parameters must be an object tree of arrays (or a model), got ${describeValue(parameters)}`, [], "type");
    const walk = (p: unknown, s: unknown, path: string): unknown => {
      if (p instanceof MxArray) {
        if (isPlainObject(s) && Object.keys(s).length) return s;
        const st: ParameterState = {};
        this.initSingle(p, st);
        return st;
      }
      if (Array.isArray(p)) {
        const list = Array.isArray(s) ? s : [];
        p.forEach((v, i) => (list[i] = walk(v, list[i], join(path, i))));
        return list;
      }
      if (isPlainObject(p)) {
        const obj = isPlainObject(s) ? s : {};
        for (const [k, v] of Object.entries(p)) obj[k] = walk(v, obj[k], join(path, k));
        return obj;
      }
      throw opError(op, `parameters '${path}' must be an array, a list or an object, got ${describeValue(p)}`, [], "type");
    };
    for (const [k, v] of Object.entries(tree)) this.stateTree[k] = walk(v, this.stateTree[k], k);
    this.initialized = true;
  }

  /**
   * The parameters after one step with `gradients` (MLX's `apply_gradients`):
   * a tree with the gradients' structure, each leaf the updated parameter.
   * `parameters` (a tree or a model) may hold more than the gradients.
   * Advances the step and the schedules.
   * @example
   * ```ts
   * const opt = new mx.optimizers.SGD(0.5, { momentum: 0.9 });
   * const next = opt.applyGradients({ w: mx.array([2], mx.float32) }, { w: mx.array([1], mx.float32) }) as { w: mx.MxArray };
   * await next.w.tolist(); // [0]
   * await opt.step.item(); // 1n
   * ```
   */
  applyGradients(gradients: unknown, parameters: unknown): unknown {
    const op = `${this.op}.applyGradients`;
    const params = parameterTree(parameters);
    if (!isPlainObject(gradients)) throw opError(op, `gradients must be an object tree of arrays, got ${describeValue(gradients)}`, [], "type");
    if (!this.initialized) this.init(gradients);
    for (const [name, fn] of this.schedulers) this.stateTree[name] = this.scheduled(fn);
    this.stateTree.step = ops.add(this.step, 1);
    const walk = (g: unknown, p: unknown, s: unknown, path: string): unknown => {
      if (g instanceof MxArray) {
        if (!(p instanceof MxArray)) throw opError(op, `parameters has no array at '${path}' for its gradient, got ${describeValue(p)}`, [], "value");
        if (!isPlainObject(s)) throw opError(op, `the state has no entry for '${path}'`, [], "value");
        if (g.shape.join() !== p.shape.join()) throw opError(op, `gradient '${path}' has shape (${g.shape.join(", ")}) but its parameter (${p.shape.join(", ")})`, [], "value");
        return this.applySingle(g, p, s as ParameterState);
      }
      const child = (t: unknown, k: string | number) => (t !== null && typeof t === "object" ? (t as Record<string, unknown>)[k] : undefined);
      if (Array.isArray(g)) return g.map((v, i) => walk(v, child(p, i), child(s, i), join(path, i)));
      if (isPlainObject(g)) return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, walk(v, child(p, k), child(s, k), join(path, k))]));
      throw opError(op, `gradients '${path}' must be an array, a list or an object, got ${describeValue(g)}`, [], "type");
    };
    return Object.fromEntries(Object.entries(gradients).map(([k, v]) => [k, walk(v, params === null || typeof params !== "object" ? undefined : (params as Record<string, unknown>)[k], this.stateTree[k], k)]));
  }

  /**
   * One step on a model (MLX's `update`): `model.update(applyGradients(gradients, model))`.
   * The model is anything with `update(params)` (an `nn.Module`), whose
   * `parameters()` are the parameters updated, or a plain object tree of
   * parameters, whose entries are replaced in place (as MLX's
   * `dict.update`). `opt.update({}, {})` only advances the step and the
   * schedules, as in MLX's schedule examples.
   * @example
   * ```ts
   * const model = new mx.nn.Linear(2, 1);
   * const opt = new mx.optimizers.SGD(0.1);
   * const grads = mx.utils.treeMap((p) => mx.onesLike(p), model.parameters());
   * const before = await (model.parameters().bias as mx.MxArray).tolist() as number[];
   * opt.update(model, grads);
   * const after = await (model.parameters().bias as mx.MxArray).tolist() as number[];
   * Math.abs(before[0]! - 0.1 - after[0]!) < 1e-6; // true
   * const sched = new mx.optimizers.SGD(mx.optimizers.stepDecay(1, 0.5, 1));
   * sched.update({}, {});
   * await sched.step.item(); // 1n
   * ```
   */
  update(model: Updatable, gradients: unknown): void {
    checkUpdatable(`${this.op}.update`, model);
    updateModel(model, this.applyGradients(gradients, model));
  }

  /** Sets up the state of one parameter (the moments, ...), writing into `state`. */
  protected abstract initSingle(parameter: MxArray, state: ParameterState): void;
  /** The updated value of one parameter, given its gradient; updates `state` in place. */
  protected abstract applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray;
}
