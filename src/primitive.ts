// The base class of every primitive: a backend-neutral node operation with a
// name (the kernel key on every backend), plain-data parameters for kernels,
// its own output rule, and its transformation rules (vjp, jvp, vmap), written
// with ops. Ops validate and compose; primitives only describe.

import type { MxArray } from "./array.js";
import type { DType } from "./dtype.js";

export interface Spec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export abstract class Primitive {
  /** Kernel key on every backend. */
  abstract readonly name: string;

  /** Output shape and dtype for the given input specs (inputs already validated by the op). */
  abstract output(inputs: readonly Spec[]): Spec;

  /** Plain-data parameters, used by kernels, by `isEquivalent` and in error messages. */
  params(): Readonly<Record<string, unknown>> {
    return {};
  }

  /** Two primitives are equivalent when they compute the same function of their inputs. */
  isEquivalent(other: Primitive): boolean {
    return other.name === this.name && JSON.stringify(other.params()) === JSON.stringify(this.params());
  }

  /**
   * The cotangents of the inputs given the output's cotangent (same shape and
   * dtype as the output); null where no gradient flows to an input.
   */
  vjp(_inputs: readonly MxArray[], _cotangent: MxArray, _output: MxArray): (MxArray | null)[] {
    throw new Error(`no vjp for ${this.name}`);
  }

  /** The output's tangent given the inputs' tangents (null: zero); null when the output has none. */
  jvp(_inputs: readonly MxArray[], _tangents: readonly (MxArray | null)[], _output: MxArray): MxArray | null {
    throw new Error(`no jvp for ${this.name}`);
  }

  /**
   * The output on batched inputs (`axes`: each input's batch axis, null when
   * it is not batched; at least one is) and the output's batch axis.
   */
  vmap(_inputs: readonly MxArray[], _axes: readonly (number | null)[]): [MxArray, number] {
    throw new Error(`no vmap for ${this.name}`);
  }

  toString(): string {
    const p = this.params();
    const keys = Object.keys(p);
    return keys.length ? `${this.name}(${keys.map((k) => `${k}=${JSON.stringify(p[k])}`).join(", ")})` : this.name;
  }
}
