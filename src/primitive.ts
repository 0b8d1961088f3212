// The base class of every primitive: a backend-neutral node operation with a
// name (the kernel key on every backend), plain-data parameters for kernels,
// and its own output rule. Ops validate and compose; primitives only describe.

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

  toString(): string {
    const p = this.params();
    const keys = Object.keys(p);
    return keys.length ? `${this.name}(${keys.map((k) => `${k}=${JSON.stringify(p[k])}`).join(", ")})` : this.name;
  }
}
