// customFunction: a function of trees of arrays whose vjp, jvp or vmap the user
// supplies (the others are derived from the function itself), and
// checkpoint, whose backward pass recomputes the function instead of keeping
// its intermediates. The outputs of one call are the sibling outputs of one
// CustomOutputs node (MLX's CustomTransforms): it runs as views of the
// function's outputs (the depends kernel, which every backend has) and
// carries the rules, which run once for all the outputs. Its inputs are the
// function's outputs, which the transforms do not walk into (the rules stand
// for the ops behind them), then the function's arguments.

import type { Backend, MultiKernel } from "../../backends/backend.js";
import { dependsKernel } from "../../backends/views.js";
import { MxArray } from "../array.js";
import { checkOptions } from "../ops/strict-options.js";
import { describeValue, opError, shapeStr } from "../errors.js";
import * as ops from "../ops/index.js";
import { nodes } from "../ops/base.js";
import type { CarriesKernel } from "../eval.js";
import { Primitive, type Spec } from "../primitive.js";
import { sameShape } from "../shape.js";
import { jvp, vjp } from "./autodiff.js";
import { callTraced, type HasOpaqueInputs } from "./trace.js";
import { vmap } from "./vmap.js";
import { callTrees, flatRules, OutputTrees, type FlatRules } from "./custom-trees.js";
import type { ArrayFn, ArrayTree } from "./types.js";

/** What a custom function's rule returns for one argument or output: its tree of arrays, or null (none). */
export type RuleTree = ArrayTree | null | undefined | readonly RuleTree[] | { readonly [key: string]: RuleTree };

/**
 * The rules of a custom function with arguments `P` (arrays, or trees of them)
 * and outputs `O` (always a list: one array as [array], a list as itself,
 * another tree as [tree]); each returns one tree (arrays or null) per argument or output.
 */
export interface CustomRules<P extends readonly any[] = MxArray[], O extends readonly any[] = MxArray[]> {
  /** Cotangents of the arguments (each shaped as its argument) given the outputs' cotangents. */
  vjp?: ((primals: P, cotangents: O, outputs: O) => readonly RuleTree[]) | undefined;
  /** Tangents of the outputs given the arguments' tangents (each shaped as its argument). */
  jvp?: ((primals: P, tangents: P) => readonly RuleTree[]) | undefined;
  /** The outputs on batched arguments (`axes`: each one's batch axis, or null when unbatched; a tree of them for a tree) and their batch axes. */
  vmap?: ((inputs: P, axes: { -readonly [K in keyof P]: P[K] extends MxArray ? number | null : unknown }) => readonly [readonly RuleTree[], readonly unknown[]]) | undefined;
}

/** A custom function's outputs as its rules see them: one array as [array], a list as itself, another tree as [tree]. */
export type CustomOutputList<R> = R extends MxArray ? [MxArray] : R extends readonly unknown[] ? { -readonly [K in keyof R]: R[K] } : [R];

/** A function of trees of arrays returning a tree of arrays, as customFunction and checkpoint take. */
export type TreeFn = (...args: any[]) => ArrayTree;

/** The function that made `p` when it is an output of a custom function ("customFunction" or "checkpoint"), else undefined. */
export function customFunctionOf(p: unknown): string | undefined {
  return p instanceof CustomOutputs ? p.op : undefined;
}

/**
 * The outputs of one call of a custom function, as siblings: inputs
 * [...the function's outputs, ...its arguments]. Each output is a view of
 * the function's output at its place; the rules read the arguments.
 */
class CustomOutputs extends Primitive implements CarriesKernel, HasOpaqueInputs {
  /** Its rules are vjp / jvp of the function (or the user's own): complex64 as those give it (complex-rules.ts). */
  readonly complexRule = "as written";
  readonly name: string;
  /** The function's outputs: the transforms leave them alone, this node's rules standing for the ops behind them. */
  readonly opaqueInputs: number;
  constructor(
    /** The function the user called (customFunction or checkpoint): its name, and what errors name. */
    readonly op: string,
    readonly fn: ArrayFn,
    readonly rules: FlatRules,
    /** How many outputs the call has (its first inputs). */
    readonly count: number,
  ) {
    super();
    this.name = op;
    this.opaqueInputs = count;
  }
  override params() {
    return { count: this.count };
  }
  /** One call's rules are its own: no other node computes the same (compile keeps each). */
  override isEquivalent(other: Primitive): boolean {
    return other === this;
  }
  /** At least `count` inputs: the outputs it passes on, then the arguments. */
  override validate(inputs: readonly Spec[]): void {
    if (!Number.isInteger(this.count) || this.count < 1 || inputs.length < this.count) {
      throw opError(this.op, `takes the function's ${describeValue(this.count)} output(s) then its arguments as inputs, got ${inputs.length} input(s)`, inputs);
    }
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs(inputs: readonly Spec[]): readonly Spec[] {
    return inputs.slice(0, this.count).map((x) => ({ shape: x.shape, dtype: x.dtype }));
  }
  /** Views of the function's outputs, on every backend. */
  kernelOn(_backend: Backend): MultiKernel {
    return dependsKernel;
  }
  /** The rule (the user's, or vjp of the function) once, with every output's cotangent (zeros where none flows, as MLX). */
  override vjpOutputs(inputs: readonly MxArray[], cotangents: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    const primals = inputs.slice(this.count);
    const cts = outputs.map((o, i) => cotangents[i] ?? ops.zerosLike(o, { stream: o.stream }));
    const grads = this.rules.vjp ? this.rules.vjp(primals, cts, [...outputs]) : vjp(this.fn, primals, cts)[1];
    return [...outputs.map(() => null), ...this.checkRule("vjp", grads, primals, "cotangent", "argument")];
  }
  /** The rule (the user's, or jvp of the function) once, with every argument's tangent (zeros where none). */
  override jvpOutputs(inputs: readonly MxArray[], tangents: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    const primals = inputs.slice(this.count);
    const ts = primals.map((p, i) => tangents[this.count + i] ?? ops.zerosLike(p, { stream: p.stream }));
    const out = this.rules.jvp ? this.rules.jvp(primals, ts) : jvp(this.fn, primals, ts)[1];
    return this.checkRule("jvp", out, outputs, "tangent", "output");
  }
  /** The rule (the user's, or vmap of the function, every output batched at axis 0) once, on the arguments and their batch axes. */
  override vmapOutputs(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray[], number[]] {
    const primals = inputs.slice(this.count);
    const argAxes = axes.slice(this.count);
    if (!this.rules.vmap) {
      const outs = vmap(this.fn, { inAxes: argAxes })(...primals);
      return [Array.isArray(outs) ? outs : [outs], inputs.slice(0, this.count).map(() => 0)];
    }
    const result: unknown = this.rules.vmap(primals, argAxes);
    const [outs, outAxes] = Array.isArray(result) ? (result as unknown[]) : [];
    const fail = (why: string) => new TypeError(`[${this.op}] the vmap rule must return [outputs, axes]: a list of ${this.count} array${this.count === 1 ? "" : "s"} (one per output) and the batch axis of each, ${why}`);
    if (!Array.isArray(outs) || !Array.isArray(outAxes)) throw fail(`got ${describeValue(result)}`);
    if (outs.length !== this.count || outAxes.length !== this.count) throw fail(`got ${outs.length} outputs and ${outAxes.length} axes`);
    const got = outs.map((out: unknown, i) => {
      const axis: unknown = outAxes[i];
      if (!(out instanceof MxArray)) throw fail(`output ${i} is ${describeValue(out)}`);
      if (typeof axis !== "number" || !Number.isInteger(axis) || axis < -out.ndim || axis >= out.ndim) throw fail(`axis ${i} is ${describeValue(axis)} for output ${i} of shape ${shapeStr(out.shape)}`);
      return [out, axis < 0 ? axis + out.ndim : axis] as const;
    });
    return [got.map(([o]) => o), got.map(([, a]) => a)];
  }
  /** What a vjp or jvp rule returned, checked: a list of one array (or null) per argument or output, each of its shape. */
  private checkRule(rule: string, got: unknown, like: readonly MxArray[], what: string, per: string): (MxArray | null)[] {
    const fail = (why: string) => new TypeError(`[${this.op}] the ${rule} rule must return a list of ${like.length} ${what}${like.length === 1 ? "" : "s"} (one array or null per ${per}): ${why}`);
    if (!Array.isArray(got)) throw fail(`got ${describeValue(got)}`);
    if (got.length !== like.length) throw fail(`got ${got.length}`);
    return got.map((g: unknown, i) => {
      if (g === null || g === undefined) return null;
      if (!(g instanceof MxArray)) throw fail(`${what} ${i} is ${describeValue(g)}`);
      if (!sameShape(g.shape, like[i]!.shape)) throw fail(`${what} ${i} has shape ${shapeStr(g.shape)} for ${per} ${i} of shape ${shapeStr(like[i]!.shape)}`);
      return g;
    });
  }
}

/**
 * `fn` (of arrays or trees of them, returning an array or a tree) with the
 * transformation rules you give (`vjp`, `jvp`, `vmap`); the others are derived
 * from `fn` itself. It takes and returns what `fn` does (docs/transforms.md).
 * @example
 * ```ts
 * // a square whose gradient is scaled by 10 (e.g. to test that a rule is used)
 * const square = mx.customFunction((x: mx.MxArray) => mx.square(x), {
 *   vjp: ([x], [cotangent]) => [mx.multiply(mx.multiply(cotangent, x), 10)],
 * });
 * const x = mx.array([3], mx.float32);
 * await square(x).tolist(); // [9]
 * await mx.grad((v: mx.MxArray) => mx.sum(square(v)))(x).tolist(); // [30]
 * ```
 */
export function customFunction<F extends TreeFn>(fn: F, rules: CustomRules<Parameters<F>, CustomOutputList<ReturnType<F>>> = {}): (...args: Parameters<F>) => ReturnType<F> {
  return customOf("customFunction", fn, rules as CustomRules<readonly unknown[], readonly unknown[]>);
}

/** A custom function for `op` (customFunction or checkpoint), its arguments checked. */
function customOf<F extends TreeFn>(op: string, fn: F, rules: CustomRules<readonly unknown[], readonly unknown[]>): (...args: Parameters<F>) => ReturnType<F> {
  if (typeof fn !== "function") throw new TypeError(`[${op}] fn must be a function, got ${describeValue(fn)}`);
  if (rules === null || typeof rules !== "object") throw new TypeError(`[${op}] rules must be an object such as { vjp, jvp, vmap }, got ${describeValue(rules)}`);
  checkOptions(op, rules, ["vjp", "jvp", "vmap"], false);
  for (const name of ["vjp", "jvp", "vmap"] as const) {
    const rule: unknown = rules[name];
    if (rule !== undefined && typeof rule !== "function") throw new TypeError(`[${op}] rules.${name} must be a function, got ${describeValue(rule)}`);
  }
  return (...args) => {
    // arguments and outputs may be trees (MLX's custom_function flattens both); the node works on their arrays
    const trees = callTrees(args);
    if (args.length && !trees.leaves.length) throw new TypeError(`[${op}] its arguments hold no mx arrays (each is an array, or lists and plain objects of arrays and constants); got ${args.map(describeValue).join(", ")}`);
    trees.leaves.forEach((a, i) => {
      if (a.isDisposed) throw new Error(`[${op}] argument array ${i} was disposed and can no longer be used`);
    });
    const outs = new OutputTrees(op);
    const flatFn = (...flat: MxArray[]) => outs.flatten((fn as (...a: unknown[]) => unknown)(...trees.rebuild(flat)));
    const { outputs } = callTraced(op, flatFn, trees.leaves);
    const wrapped = nodes(new CustomOutputs(op, flatFn, flatRules(op, rules, trees, outs), outputs.length), [...outputs, ...trees.leaves], outputs[0]!.stream);
    return outs.tree(wrapped) as ReturnType<F>;
  };
}

/**
 * `fn` whose backward pass recomputes it from its arguments instead of keeping
 * its intermediates: less memory for a gradient, for more compute. Values and
 * gradients are those of `fn`.
 * @example
 * ```ts
 * const block = mx.checkpoint((x: mx.MxArray) => mx.tanh(mx.exp(x)));
 * const g = mx.grad((x: mx.MxArray) => mx.sum(block(x)));
 * await g(mx.array([0], mx.float32)).tolist(); // [0.41997432708740234]
 * ```
 */
export function checkpoint<F extends TreeFn>(fn: F): (...args: Parameters<F>) => ReturnType<F> {
  return customOf("checkpoint", fn, {});
}
