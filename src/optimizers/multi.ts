// MultiOptimizer, as MLX's: several optimizers over one parameter tree, each
// parameter going to the first whose filter takes its path (the last one
// takes the rest).

import type { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { treeFlatten, treeMerge, treeUnflatten } from "../transforms/utils.js";
import { isPlainObject } from "../transforms/tree.js";
import { checkUpdatable, Optimizer, parameterTree, updateModel, type OptimizerState, type Updatable } from "./optimizer.js";

/** Whether a parameter (its dotted path and its gradient) goes to an optimizer. */
export type ParameterFilter = (path: string, gradient: MxArray) => boolean;

/**
 * Delegates each parameter to one of `optimizers` (MLX's `MultiOptimizer`):
 * `filters[i](path, gradient)` picks optimizer i; the last optimizer, which
 * has no filter, takes what no filter took.
 * @example
 * ```ts
 * const opt = new mx.optimizers.MultiOptimizer(
 *   [new mx.optimizers.SGD(1), new mx.optimizers.SGD(0.1)],
 *   [(path) => path.endsWith("bias")],
 * );
 * const params = { weight: mx.array([1], mx.float32), bias: mx.array([1], mx.float32) };
 * const grads = { weight: mx.array([1], mx.float32), bias: mx.array([1], mx.float32) };
 * const next = opt.applyGradients(grads, params) as typeof params;
 * await next.bias.tolist(); // [0]
 * await next.weight.tolist(); // [0.8999999761581421]
 * ```
 */
export class MultiOptimizer {
  readonly optimizers: readonly Optimizer[];
  readonly filters: readonly ParameterFilter[];

  constructor(optimizers: readonly Optimizer[], filters: readonly ParameterFilter[] = []) {
    const op = "optimizers.MultiOptimizer";
    if (!Array.isArray(optimizers) || optimizers.length === 0) throw opError(op, `optimizers must be a non-empty list of optimizers, got ${describeValue(optimizers)}`, [], "type");
    optimizers.forEach((o: unknown, i) => {
      if (!(o instanceof Optimizer)) throw opError(op, `optimizers[${i}] must be an optimizer, got ${describeValue(o)}`, [], "type");
    });
    if (!Array.isArray(filters)) throw opError(op, `filters must be a list of functions, got ${describeValue(filters)}`, [], "type");
    if (filters.length !== optimizers.length - 1) throw opError(op, `filters has ${filters.length} functions but ${optimizers.length} optimizers need ${optimizers.length - 1}`, [], "value");
    filters.forEach((f: unknown, i) => {
      if (typeof f !== "function") throw opError(op, `filters[${i}] must be a function, got ${describeValue(f)}`, [], "type");
    });
    this.optimizers = [...optimizers];
    this.filters = [...filters, () => true];
  }

  private split(tree: unknown): unknown[] {
    if (this.optimizers.length === 1) return [tree];
    const parts: [string, unknown][][] = this.optimizers.map(() => []);
    for (const [k, g] of treeFlatten(tree)) parts[this.filters.findIndex((f) => f(k, g as MxArray))]!.push([k, g]);
    return parts.map((p) => (p.length ? treeUnflatten(p) : {}));
  }

  /**
   * Sets up each optimizer's state for its share of `parameters`.
   * @example
   * ```ts
   * const opt = new mx.optimizers.MultiOptimizer([new mx.optimizers.Adam(1e-3), new mx.optimizers.SGD(0.1, { momentum: 0.9 })], [(p) => p === "a"]);
   * opt.init({ a: mx.zeros([2]), b: mx.zeros([2]) });
   * Object.keys(opt.optimizers[0]!.state.a as object); // ["m", "v"]
   * Object.keys(opt.optimizers[1]!.state.b as object); // ["v"]
   * ```
   */
  init(parameters: unknown): void {
    const tree = parameterTree(parameters);
    this.split(tree).forEach((p, i) => this.optimizers[i]!.init(p));
  }

  /**
   * The updated parameters: each optimizer applies its share of `gradients`,
   * and the results are merged into one tree.
   * @example
   * ```ts
   * const opt = new mx.optimizers.MultiOptimizer([new mx.optimizers.SGD(1)]);
   * const next = opt.applyGradients({ w: mx.array([1], mx.float32) }, { w: mx.array([3], mx.float32) }) as { w: mx.MxArray };
   * await next.w.tolist(); // [2]
   * ```
   */
  applyGradients(gradients: unknown, parameters: unknown): unknown {
    if (!isPlainObject(gradients)) throw opError("MultiOptimizer.applyGradients", `gradients must be an object tree of arrays, got ${describeValue(gradients)}`, [], "type");
    let tree: unknown = {};
    this.split(gradients).forEach((g, i) => (tree = treeMerge(tree, this.optimizers[i]!.applyGradients(g, parameters))));
    return tree;
  }

  /**
   * One step on a model: `model.update(applyGradients(gradients, model))`;
   * a plain object tree is updated in place, as by Optimizer.update.
   * @example
   * ```ts
   * const model = { w: mx.array([3], mx.float32), update(p: { w: mx.MxArray }) { this.w = p.w; } };
   * new mx.optimizers.MultiOptimizer([new mx.optimizers.SGD(1)]).update(model, { w: mx.array([1], mx.float32) });
   * await model.w.tolist(); // [2]
   * ```
   */
  update(model: Updatable, gradients: unknown): void {
    checkUpdatable("MultiOptimizer.update", model);
    updateModel(model, this.applyGradients(gradients, model));
  }

  /** The states of the optimizers, as MLX keeps them: `{ states: [...] }`. */
  get state(): OptimizerState {
    return { states: this.optimizers.map((o) => o.state) };
  }
  set state(state: OptimizerState) {
    const states = isPlainObject(state) ? state.states : undefined;
    if (!Array.isArray(states) || states.length !== this.optimizers.length) {
      throw opError("MultiOptimizer.state", `state must be { states: [...] } with one state per optimizer (${this.optimizers.length}), got ${describeValue(state)}`, [], "value");
    }
    states.forEach((s, i) => (this.optimizers[i]!.state = s as OptimizerState));
  }

  /** The first optimizer's learning rate; setting it sets every optimizer's. */
  get learningRate(): MxArray {
    return this.optimizers[0]!.learningRate;
  }
  set learningRate(lr: number | MxArray) {
    for (const o of this.optimizers) o.learningRate = lr;
  }

  /** The first optimizer's step count. */
  get step(): MxArray {
    return this.optimizers[0]!.step;
  }
}

