// customFunction: a function of arrays whose vjp, jvp or vmap the user
// supplies (the others are derived from the function itself), and
// checkpoint, whose backward pass recomputes the function instead of keeping
// its intermediates. Each output is a CustomOutput node: it runs as a view of
// the function's output (the reshape kernel, so every backend has it) and
// carries the rules, with the function's arguments as further inputs.

import { MxArray } from "../array.js";
import { checkOptions } from "../ops/strict-options.js";
import { describeValue, shapeStr } from "../errors.js";
import * as ops from "../ops/index.js";
import { node } from "../ops/base.js";
import { Reshape } from "../primitives/layout.js";
import type { Spec } from "../primitive.js";
import { sameShape } from "../shape.js";
import { jvp, vjp } from "./autodiff.js";
import { callTraced } from "./trace.js";
import { vmap } from "./vmap.js";
import type { ArrayFn, ArrayPerArgument, OutputList } from "./types.js";

/**
 * The rules of a custom function with arguments `P` and outputs `O` (always a
 * list, one entry per output); each returns one array per argument or output.
 */
export interface CustomRules<P extends readonly MxArray[] = MxArray[], O extends readonly MxArray[] = MxArray[]> {
  /** Cotangents of the arguments given the outputs' cotangents. */
  vjp?: ((primals: P, cotangents: O, outputs: O) => readonly MxArray[]) | undefined;
  /** Tangents of the outputs given the arguments' tangents. */
  jvp?: ((primals: P, tangents: ArrayPerArgument<P>) => readonly MxArray[]) | undefined;
  /** The outputs on batched arguments (`axes`: each one's batch axis, or null when unbatched) and their batch axes. */
  vmap?: ((inputs: P, axes: { -readonly [K in keyof P]: number | null }) => readonly [readonly MxArray[], readonly number[]]) | undefined;
}

/** The function that made `p` when it is an output of a custom function ("customFunction" or "checkpoint"), else undefined. */
export function customFunctionOf(p: unknown): string | undefined {
  return p instanceof CustomOutput ? p.op : undefined;
}

/** Output `index` of a custom function: inputs [output, ...arguments]. */
class CustomOutput extends Reshape {
  /** Its rules are vjp / jvp of the function (or the user's own): complex64 as those give it (complex-rules.ts). */
  readonly complexRule = "as written";
  constructor(
    /** The function the user called (customFunction or checkpoint), named by errors. */
    readonly op: string,
    readonly index: number,
    readonly fn: ArrayFn,
    readonly rules: CustomRules,
    /** All outputs of the call (for the cotangent list of a user vjp). */
    readonly callOutputs: MxArray[],
  ) {
    super(callOutputs[index]!.shape);
  }
  /** A reshape of its first input (the function's output) alone; the others are the arguments its rules read. */
  override validate(inputs: readonly Spec[]): void {
    super.validate(inputs.slice(0, 1));
  }
  override vjp(inputs: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const primals = inputs.slice(1) as MxArray[];
    const cts = this.callOutputs.map((o, i) => (i === this.index ? ct : ops.zerosLike(o, { stream: ct.stream })));
    const grads = this.rules.vjp ? this.rules.vjp(primals, cts, this.callOutputs) : vjp(this.fn, primals, cts)[1];
    return [null, ...this.checkRule("vjp", grads, primals, "cotangent", "argument")];
  }
  override jvp(inputs: readonly MxArray[], tangents: readonly (MxArray | null)[]): MxArray | null {
    const primals = inputs.slice(1) as MxArray[];
    const ts = primals.map((p, i) => tangents[i + 1] ?? ops.zerosLike(p, { stream: p.stream }));
    const out = this.rules.jvp ? this.rules.jvp(primals, ts) : jvp(this.fn, primals, ts)[1];
    return this.checkRule("jvp", out, this.callOutputs, "tangent", "output")[this.index] ?? null;
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const primals = inputs.slice(1) as MxArray[];
    const argAxes = axes.slice(1);
    if (this.rules.vmap) {
      const result: unknown = this.rules.vmap(primals, argAxes);
      const [outs, outAxes] = Array.isArray(result) ? (result as unknown[]) : [];
      const out: unknown = Array.isArray(outs) ? outs[this.index] : undefined;
      const axis: unknown = Array.isArray(outAxes) ? outAxes[this.index] : undefined;
      if (!(out instanceof MxArray) || typeof axis !== "number" || !Number.isInteger(axis) || axis < -out.ndim || axis >= out.ndim) {
        throw new TypeError(`[${this.op}] the vmap rule must return [outputs, axes]: a list of arrays (one per output) and the batch axis of each, got ${describeValue(result)}`);
      }
      return [out, axis < 0 ? axis + out.ndim : axis];
    }
    const mapped = vmap(this.fn, { inAxes: argAxes });
    const outs = mapped(...primals);
    return [Array.isArray(outs) ? outs[this.index]! : outs, 0];
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
 * `fn` (of arrays, returning an array or a list) with the transformation rules
 * you give (`vjp`, `jvp`, `vmap`); the others are derived from `fn` itself. It
 * takes and returns what `fn` does.
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
export function customFunction<F extends ArrayFn>(fn: F, rules: CustomRules<Parameters<F>, OutputList<ReturnType<F>>> = {}): (...args: Parameters<F>) => ReturnType<F> {
  return customOf("customFunction", fn, rules as CustomRules);
}

/** A custom function for `op` (customFunction or checkpoint), its arguments checked. */
function customOf<F extends ArrayFn>(op: string, fn: F, rules: CustomRules): (...args: Parameters<F>) => ReturnType<F> {
  if (typeof fn !== "function") throw new TypeError(`[${op}] fn must be a function, got ${describeValue(fn)}`);
  if (rules === null || typeof rules !== "object") throw new TypeError(`[${op}] rules must be an object such as { vjp, jvp, vmap }, got ${describeValue(rules)}`);
  checkOptions(op, rules, ["vjp", "jvp", "vmap"], false);
  for (const name of ["vjp", "jvp", "vmap"] as const) {
    const rule: unknown = rules[name];
    if (rule !== undefined && typeof rule !== "function") throw new TypeError(`[${op}] rules.${name} must be a function, got ${describeValue(rule)}`);
  }
  return (...args) => {
    args.forEach((a: unknown, i) => {
      if (!(a instanceof MxArray)) throw new TypeError(`[${op}] argument ${i} must be an mx array, got ${describeValue(a)}`);
      if (a.isDisposed) throw new Error(`[${op}] argument ${i} was disposed and can no longer be used`);
    });
    const { outputs, single } = callTraced(op, fn, args);
    const wrapped = outputs.map((o, i) => node(new CustomOutput(op, i, fn, rules, outputs), [o, ...args], o.stream));
    return (single ? wrapped[0]! : wrapped) as ReturnType<F>;
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
export function checkpoint<F extends ArrayFn>(fn: F): (...args: Parameters<F>) => ReturnType<F> {
  return customOf("checkpoint", fn, { vjp: (primals, cotangents) => vjp(fn as ArrayFn, primals, cotangents)[1] });
}
