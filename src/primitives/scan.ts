// The Scan primitive: a running sum, product, max, min or logaddexp along one
// axis, forward or reversed, inclusive or exclusive (MLX's Scan). Its vjp and
// jvp are written with scans too; cummax/cummin route through the element
// that holds the running extreme (ties: the latest in scan order, as MLX).

import type { MxArray } from "../array.js";
import { int32, isFloating, isInexact, sumDType } from "../dtype.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, on } from "./autodiff.js";
import { checkAxis, checkBool, checkChoice, checkInputCount } from "./checks.js";

export type ScanOp = "sum" | "prod" | "max" | "min" | "logaddexp";

const SCAN_OP_NAMES: Record<ScanOp, string> = { sum: "cumsum", prod: "cumprod", max: "cummax", min: "cummin", logaddexp: "logcumsumexp" };

export class Scan extends Primitive {
  readonly name = "scan";
  constructor(
    readonly op: ScanOp,
    readonly axis: number,
    readonly reverse: boolean,
    readonly inclusive: boolean,
  ) {
    super();
  }
  override params() {
    return { op: this.op, axis: this.axis, reverse: this.reverse, inclusive: this.inclusive };
  }
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkChoice(this.name, "op", this.op, Object.keys(SCAN_OP_NAMES));
    checkAxis(this.name, "axis", this.axis, inputs[0]!.shape.length);
    checkBool(this.name, "reverse", this.reverse);
    checkBool(this.name, "inclusive", this.inclusive);
  }
  /** The op a user called (cumsum, cumprod, cummax, cummin, logcumsumexp), for error messages. */
  override get errorName(): string {
    return SCAN_OP_NAMES[this.op];
  }
  /** MLX's rule: a running sum of bool counts in int32; every other scan keeps the input's dtype. */
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: this.op === "sum" ? sumDType(x!.dtype) : x!.dtype };
  }

  /** `op` scanned along this axis over `x`, forward or reversed, always inclusive. */
  private scan(op: ScanOp, x: MxArray, reverse: boolean): MxArray {
    return node(new Scan(op, this.axis, reverse, true), [x], x.stream);
  }

  /** `v` moved `by` places along the axis (element i takes element i + by), `fill` where that falls outside. */
  private shift(v: MxArray, by: number, fill: number | boolean): MxArray {
    const n = v.shape[this.axis]!;
    const k = Math.min(Math.abs(by), n);
    if (k === 0) return v;
    const o = on(v);
    const start = v.shape.map(() => 0), stop = [...v.shape];
    const widths = v.shape.map((): [number, number] => [0, 0]);
    if (by > 0) {
      start[this.axis] = k;
      widths[this.axis] = [0, k];
    } else {
      stop[this.axis] = n - k;
      widths[this.axis] = [k, 0];
    }
    return ops.pad(ops.slice(v, start, stop, undefined, o), widths, { constantValue: fill, ...o });
  }

  /** +1 when the next element in scan order has the next index along the axis, -1 when reversed. */
  private get next(): number {
    return this.reverse ? -1 : 1;
  }

  /**
   * `val` where `flag` holds; elsewhere the `val` of the nearest flagged element
   * `dir` (+1: later in scan order, -1: earlier), `fill` past the end. Pointer
   * doubling: ceil(log2 n) rounds of shifted selects.
   */
  private carry(val: MxArray, flag: MxArray, dir: number, fill: number): MxArray {
    const o = on(val);
    const n = val.shape[this.axis]!;
    for (let d = 1; d < n; d *= 2) {
      val = ops.where(flag, val, this.shift(val, d * dir * this.next, fill), o);
      flag = ops.logicalOr(flag, this.shift(flag, d * dir * this.next, true), o);
    }
    return val;
  }

  /** Where the input holds the inclusive running extreme `y` (NaN counts as equal to NaN). */
  private hits(x: MxArray, y: MxArray): MxArray {
    const o = on(x);
    const eq = ops.equal(x, y, o);
    return isFloating(x.dtype) ? ops.logicalOr(eq, ops.logicalAnd(ops.isnan(x, o), ops.isnan(y, o), o), o) : eq;
  }

  /** The inclusive scan's output: `y` itself, or recomputed for an exclusive scan. */
  private inclusiveOutput(x: MxArray, y: MxArray): MxArray {
    return this.inclusive ? y : this.scan(this.op, x, this.reverse);
  }

  /** Cotangent of an inclusive prod/max/min/logaddexp scan, given `ct` of its output `y`. */
  private inclusiveVjp(x: MxArray, ct: MxArray, y: MxArray): MxArray {
    const o = on(ct);
    const back = (v: MxArray) => this.scan("sum", v, !this.reverse);
    switch (this.op) {
      case "prod": {
        const zero = ops.equal(x, 0, o);
        const count = this.scan("sum", ops.astype(zero, int32, o), this.reverse);
        const first = ops.logicalAnd(zero, ops.equal(count, 1, o), o);
        // the first zero's partial: the running product with that zero taken as one
        const withOne = this.scan("prod", ops.where(first, 1, x, o), this.reverse);
        const atFirst = back(ops.multiply(ct, withOne, o));
        const elsewhere = ops.divide(back(ops.multiply(ct, y, o)), ops.where(zero, 1, x, o), o);
        return ops.where(first, atFirst, ops.where(zero, 0, elsewhere, o), o);
      }
      case "logaddexp": {
        // sum over i >= j of ct_i exp(x_j - y_i), positive and negative cotangents apart in log space
        const part = (keep: MxArray) => {
          const logs = ops.where(keep, ops.log(ops.abs(ct, o), o), -Infinity, o);
          return ops.exp(ops.add(x, this.scanLog(ops.subtract(logs, y, o), !this.reverse), o), o);
        };
        return ops.subtract(part(ops.greater(ct, 0, o)), part(ops.less(ct, 0, o)), o);
      }
      default: {
        // each output's cotangent goes to the latest element that holds its extreme
        const hit = this.hits(x, y);
        const after = back(ct);
        const atNextHit = this.carry(this.shift(ops.where(hit, after, 0, o), this.next, 0), this.shift(hit, this.next, true), 1, 0);
        return ops.where(hit, ops.subtract(after, atNextHit, o), 0, o);
      }
    }
  }

  private scanLog(v: MxArray, reverse: boolean): MxArray {
    return this.scan("logaddexp", v, reverse);
  }

  /** Tangent of an inclusive prod/max/min/logaddexp scan's output `y`. */
  private inclusiveJvp(x: MxArray, t: MxArray, y: MxArray): MxArray {
    const o = on(t);
    const fwd = (v: MxArray) => this.scan("sum", v, this.reverse);
    switch (this.op) {
      case "prod": {
        const zero = ops.equal(x, 0, o);
        const count = this.scan("sum", ops.astype(zero, int32, o), this.reverse);
        const first = ops.logicalAnd(zero, ops.equal(count, 1, o), o);
        const noZero = ops.multiply(y, fwd(ops.where(zero, 0, ops.divide(t, ops.where(zero, 1, x, o), o), o)), o);
        const oneZero = ops.multiply(fwd(ops.where(first, t, 0, o)), this.scan("prod", ops.where(first, 1, x, o), this.reverse), o);
        return ops.where(ops.equal(count, 0, o), noZero, oneZero, o);
      }
      case "logaddexp": {
        const part = (keep: MxArray) => {
          const logs = ops.where(keep, ops.log(ops.abs(t, o), o), -Infinity, o);
          return ops.exp(ops.subtract(this.scanLog(ops.add(x, logs, o), this.reverse), y, o), o);
        };
        return ops.subtract(part(ops.greater(t, 0, o)), part(ops.less(t, 0, o)), o);
      }
      default: {
        const hit = this.hits(x, y);
        return this.carry(ops.where(hit, t, 0, o), hit, -1, 0);
      }
    }
  }

  override vjp([x]: readonly MxArray[], ct: MxArray, y: MxArray): (MxArray | null)[] {
    if (!isInexact(x!.dtype)) return [null];
    // a running sum's cotangent: the running sum of `ct` the other way
    if (this.op === "sum") return [node(new Scan("sum", this.axis, !this.reverse, this.inclusive), [ct], ct.stream)];
    // an exclusive output is the inclusive one a place later: its cotangent moves a place earlier
    const ctIncl = this.inclusive ? ct : this.shift(ct, this.next, 0);
    return [this.inclusiveVjp(x!, ctIncl, this.inclusiveOutput(x!, y))];
  }

  override jvp([x]: readonly MxArray[], [t]: readonly (MxArray | null)[], y: MxArray): MxArray | null {
    if (!t || !isInexact(x!.dtype)) return null;
    if (this.op === "sum") return node(new Scan("sum", this.axis, this.reverse, this.inclusive), [t], t.stream);
    const tIncl = this.inclusiveJvp(x!, t, this.inclusiveOutput(x!, y));
    return this.inclusive ? tIncl : this.shift(tIncl, -this.next, 0);
  }

  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new Scan(this.op, this.axis + 1, this.reverse, this.inclusive), [b], b.stream), 0];
  }
}
