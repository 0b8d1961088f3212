// The dropout layers of mx.nn (MLX's Dropout, Dropout2d, Dropout3d): in
// training mode each element (or each channel, for 2d/3d) is zeroed with
// probability p and the rest scaled by 1 / (1 - p); in eval mode the identity.

import type { MxArray } from "../../array.js";
import { opError } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp } from "../../ops/strict-options.js";
import * as random from "../../random.js";
import { checkArray, checkNumber, keywords } from "../checks.js";
import { Module } from "../module.js";

/** Drops with probability `p` (default 0.5; 0 <= p < 1) the elements whose mask entry is off. */
function drop(op: string, x: MxArray, p: number, maskShape: readonly number[]): MxArray {
  if (p === 0) return x;
  const keep = 1 - p;
  return asOp(op, () => ops.multiply(ops.multiply(x, ops.astype(random.bernoulli(keep, maskShape), x.dtype)), 1 / keep));
}

abstract class DropoutBase extends Module {
  readonly _p: number;
  constructor(op: string, given: number | { p?: number | undefined }) {
    super();
    const p = checkNumber(op, "p", keywords(op, [given], ["p"]).p ?? 0.5, 0);
    if (p >= 1) throw new RangeError(`[${op}] p must be a probability in [0, 1), got ${p}`);
    this._p = p;
  }
  protected override extraRepr(): string {
    return `p=${this._p}`;
  }
}

/** Zeroes each element with probability `p` (default 0.5) in training. */
export class Dropout extends DropoutBase {
  constructor(p: number | { p?: number | undefined } = 0.5) {
    super("nn.Dropout", p);
  }
  /**
   * `x` with elements dropped (training) or `x` itself (eval).
   * @example
   * ```ts
   * const d = new mx.nn.Dropout(0.5);
   * await d.eval().forward(mx.array([1, 2])).tolist(); // [1, 2]
   * const y = await d.train().forward(mx.ones([1000])).tolist();
   * (y as number[]).every((v) => v === 0 || v === 2); // true
   * ```
   */
  forward(x: MxArray): MxArray {
    checkArray("nn.Dropout", x, "x");
    return this.training ? drop("nn.Dropout", x, this._p, x.shape) : x;
  }
}

/** Zeroes whole channels of [N, H, W, C] or [H, W, C] inputs with probability `p` (default 0.5) in training. */
export class Dropout2d extends DropoutBase {
  constructor(p: number | { p?: number | undefined } = 0.5) {
    super("nn.Dropout2d", p);
  }
  /**
   * `x` with channels dropped (training) or `x` itself (eval).
   * @example
   * ```ts
   * const y = new mx.nn.Dropout2d(0.5).forward(mx.ones([4, 3, 3, 8]));
   * await mx.all(mx.equal(mx.max(y, [1, 2]), mx.min(y, [1, 2]))).item(); // true
   * ```
   */
  forward(x: MxArray): MxArray {
    checkArray("nn.Dropout2d", x, "x");
    if (x.ndim !== 3 && x.ndim !== 4) throw opError("nn.Dropout2d", "x must have 3 or 4 axes ([N,] H, W, C)", [x], "value");
    if (!this.training) return x;
    const mask = [...x.shape];
    mask[mask.length - 2] = mask[mask.length - 3] = 1;
    return drop("nn.Dropout2d", x, this._p, mask);
  }
}

/** Zeroes whole channels of [N, D, H, W, C] or [D, H, W, C] inputs with probability `p` (default 0.5) in training. */
export class Dropout3d extends DropoutBase {
  constructor(p: number | { p?: number | undefined } = 0.5) {
    super("nn.Dropout3d", p);
  }
  /**
   * `x` with channels dropped (training) or `x` itself (eval).
   * @example
   * ```ts
   * const y = new mx.nn.Dropout3d(0.5).forward(mx.ones([2, 2, 3, 3, 8]));
   * await mx.all(mx.equal(mx.max(y, [1, 2, 3]), mx.min(y, [1, 2, 3]))).item(); // true
   * ```
   */
  forward(x: MxArray): MxArray {
    checkArray("nn.Dropout3d", x, "x");
    if (x.ndim !== 4 && x.ndim !== 5) throw opError("nn.Dropout3d", "x must have 4 or 5 axes ([N,] D, H, W, C)", [x], "value");
    if (!this.training) return x;
    const mask = [...x.shape];
    mask[mask.length - 2] = mask[mask.length - 3] = mask[mask.length - 4] = 1;
    return drop("nn.Dropout3d", x, this._p, mask);
  }
}
