// The base class of every primitive: a backend-neutral node operation with a
// name (the kernel key on every backend), plain-data parameters for kernels,
// its own output rule, and its transformation rules (vjp, jvp, vmap), written
// with ops. Ops validate and compose; primitives describe, and re-check their
// parameters (validate) only where no op ran: a file, a shapeless replay.

import type { MxArray } from "./array.js";
import type { DType } from "./dtype.js";

export interface Spec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * Whether plain data `a` and `b` (parameters: numbers, strings, booleans,
 * null, and arrays and plain objects of them) hold the same values,
 * each number compared by Object.is (JSON would print -0 as 0, and NaN and
 * the infinities all as null).
 */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], y[i])) return false;
    return true;
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * A node operation of the graph (an unevaluated array's `primitive`): its name is
 * the kernel key on every backend, and it carries its own output rule and its
 * vjp, jvp and vmap rules. Subclass it to add an op; backends register a kernel
 * under its name.
 */
export abstract class Primitive {
  /** Kernel key on every backend. */
  abstract readonly name: string;

  /**
   * Output shape and dtype for the given input specs (inputs already validated by the op).
   * @example
   * ```ts
   * const sin = mx.sin(mx.array([1, 2], mx.float32)).primitive!;
   * sin.output([{ shape: [3], dtype: mx.float16 }]).dtype.name; // "float16"
   * ```
   */
  abstract output(inputs: readonly Spec[]): Spec;

  /**
   * Throws an Error naming the bad parameter when the parameters do not fit
   * the input specs (their count, ranks, shapes, dtypes) in a way that could
   * make a kernel index outside its inputs or output, or compute a size that
   * wraps; the default checks nothing (parameters without such a reach).
   * Ops check their arguments before they build a node, so this runs only
   * where no op did: nodes read from a function file, and a shapeless trace
   * replayed on new shapes.
   * @example
   * ```ts
   * const t = mx.transpose(mx.zeros([2, 3])).primitive!;
   * t.validate([{ shape: [2, 3], dtype: mx.float32 }]);
   * let message = "";
   * try {
   *   t.validate([{ shape: [2, 3, 4], dtype: mx.float32 }]);
   * } catch (e) {
   *   message = (e as Error).message;
   * }
   * message; // "[transpose] perm [1,0] is not a permutation of the 3 axes of the input"
   * ```
   */
  validate(_inputs: readonly Spec[]): void {}

  /**
   * The name a kernel's error starts with: the function the user called
   * (default: the primitive's name; a user kernel's is `fast.metalKernel`).
   * @example
   * ```ts
   * mx.sin(mx.array([1], mx.float32)).primitive!.errorName; // "sin"
   * ```
   */
  get errorName(): string {
    return this.name;
  }

  /**
   * Whether eval may free this node's buffer once its users have run and
   * compute it again should the program read it later (false: a
   * communication, whose second run would talk on one process alone).
   * @example
   * ```ts
   * mx.sin(mx.array([1], mx.float32)).primitive!.recomputable; // true
   * ```
   */
  get recomputable(): boolean {
    return true;
  }

  /**
   * Whether eval runs this node (and the nodes it reads) ahead of the other
   * nodes of the same eval (true: a send, so that the receives of one eval
   * never wait for it).
   * @example
   * ```ts
   * mx.sin(mx.array([1], mx.float32)).primitive!.runsEarly; // false
   * ```
   */
  get runsEarly(): boolean {
    return false;
  }

  /**
   * Whether this node runs only after the nodes of this kind that evals called
   * before its own have run, however the evals overlap (true: a
   * communication, which every process must run in its program's order).
   * @example
   * ```ts
   * mx.sin(mx.array([1], mx.float32)).primitive!.keepsEvalOrder; // false
   * ```
   */
  get keepsEvalOrder(): boolean {
    return false;
  }

  /**
   * Plain-data parameters, used by kernels, by `isEquivalent` and in error messages.
   * @example
   * ```ts
   * mx.astype(mx.array([1]), mx.float16).primitive!.params(); // { dtype: "float16" }
   * ```
   */
  params(): Readonly<Record<string, unknown>> {
    return {};
  }

  /**
   * Whether `other` computes the same function of its inputs (same class,
   * name and parameters, numbers compared as Object.is does: -0 is not 0, NaN is not
   * Infinity), so two nodes with it and the same inputs are one.
   * @example
   * ```ts
   * const toHalf = mx.astype(mx.array([1]), mx.float16).primitive!;
   * toHalf.isEquivalent(mx.astype(mx.array([2]), mx.float16).primitive!); // true
   * toHalf.isEquivalent(mx.astype(mx.array([2]), mx.float32).primitive!); // false
   * ```
   */
  isEquivalent(other: Primitive): boolean {
    return other.constructor === this.constructor && other.name === this.name && sameData(other.params(), this.params());
  }

  /**
   * The cotangents of the inputs given the output's cotangent (same shape and
   * dtype as the output); null where no gradient flows to an input.
   * @example
   * ```ts
   * const x = mx.array([0, 1], mx.float32);
   * const y = mx.sin(x);
   * const [dx] = y.primitive!.vjp([x], mx.onesLike(y), y);
   * await dx!.tolist(); // [1, 0.5403022766113281]
   * ```
   */
  vjp(_inputs: readonly MxArray[], _cotangent: MxArray, _output: MxArray): (MxArray | null)[] {
    throw new Error(`no vjp for ${this.name}`);
  }

  /**
   * The output's tangent given the inputs' tangents (null: zero); null when the output has none.
   * @example
   * ```ts
   * const x = mx.array([0, 1], mx.float32);
   * const y = mx.sin(x);
   * await y.primitive!.jvp([x], [mx.full([2], 2, mx.float32)], y)!.tolist(); // [2, 1.0806045532226562]
   * ```
   */
  jvp(_inputs: readonly MxArray[], _tangents: readonly (MxArray | null)[], _output: MxArray): MxArray | null {
    throw new Error(`no jvp for ${this.name}`);
  }

  /**
   * The output on batched inputs (`axes`: each input's batch axis, null when
   * it is not batched; at least one is) and the output's batch axis.
   * @example
   * ```ts
   * const sin = mx.sin(mx.array([0], mx.float32)).primitive!;
   * const [out, axis] = sin.vmap([mx.array([[0], [1]], mx.float32)], [0]);
   * await out.tolist(); // [[0], [0.8414709568023682]]
   * axis; // 0
   * ```
   */
  vmap(_inputs: readonly MxArray[], _axes: readonly (number | null)[]): [MxArray, number] {
    throw new Error(`no vmap for ${this.name}`);
  }

  /**
   * The name, with the parameters when there are some.
   * @example
   * ```ts
   * String(mx.astype(mx.array([1]), mx.float16).primitive); // 'astype(dtype="float16")'
   * ```
   */
  /**
   * The shape and dtype of every output. A primitive with several outputs
   * (divmod's quotient and remainder, qr's q and r) overrides this, and its
   * `output` gives the first; the outputs are sibling arrays computed by one
   * kernel call (MLX's `array::siblings`).
   * @example
   * ```ts
   * const [q] = mx.divmod(mx.array([7]), 2);
   * q!.primitive!.outputs([{ shape: [1], dtype: mx.int32 }, { shape: [1], dtype: mx.int32 }]).length; // 2
   * ```
   */
  outputs(inputs: readonly Spec[]): readonly Spec[] {
    return [this.output(inputs)];
  }

  /**
   * `vjp` for all outputs at once: the cotangent of each output (null where
   * none flows) to the cotangents of the inputs. Single-output primitives
   * need not override it.
   * @example
   * ```ts
   * const x = mx.array([0, 1], mx.float32);
   * const y = mx.sin(x);
   * y.primitive!.vjpOutputs([x], [mx.ones([2])], [y]).length; // 1
   * ```
   */
  vjpOutputs(inputs: readonly MxArray[], cotangents: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    const ct = cotangents[0];
    return ct ? this.vjp(inputs, ct, outputs[0]!) : inputs.map(() => null);
  }

  /**
   * `jvp` for all outputs at once: the tangents of the inputs to the tangent
   * of each output (null where none). Single-output primitives need not override it.
   * @example
   * ```ts
   * const x = mx.array([0, 1], mx.float32);
   * const y = mx.sin(x);
   * y.primitive!.jvpOutputs([x], [mx.ones([2])], [y]).length; // 1
   * ```
   */
  jvpOutputs(inputs: readonly MxArray[], tangents: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    return [this.jvp(inputs, tangents, outputs[0]!)];
  }

  /**
   * `vmap` for all outputs at once: the batched outputs and the axis each
   * carries its batch on. Single-output primitives need not override it.
   * @example
   * ```ts
   * const x = mx.ones([3, 2]);
   * const y = mx.sin(x);
   * y.primitive!.vmapOutputs([x], [0])[0].length; // 1
   * ```
   */
  vmapOutputs(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray[], number[]] {
    const [out, axis] = this.vmap(inputs, axes);
    return [[out], [axis]];
  }

  /**
   * The name with the parameters, as error messages and graph dumps show it.
   * @example
   * ```ts
   * mx.astype(mx.array([1]), mx.float16).primitive!.toString(); // 'astype(dtype="float16")'
   * ```
   */
  toString(): string {
    const p = this.params();
    const keys = Object.keys(p);
    return keys.length ? `${this.name}(${keys.map((k) => `${k}=${JSON.stringify(p[k])}`).join(", ")})` : this.name;
  }
}
