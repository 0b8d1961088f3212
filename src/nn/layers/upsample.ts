// nn.Upsample (MLX's): scales the spatial axes of [N, ...spatial, C] inputs
// by nearest neighbour, linear or cubic (a = -0.75) interpolation, one axis
// at a time (the kernels are separable), with MLX's sample positions; with
// `antialias`, a triangle or Keys (a = -0.5) filter widened by 1/scale when
// shrinking, as MLX (and PyTorch) do. Its float32 weights promote the result
// of linear and cubic (float32 for 16-bit and integer inputs), as MLX's do.

import type { MxArray } from "../../array.js";
import { float32, int32 } from "../../dtype.js";
import { describeValue, opError } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp, noExtraArguments } from "../../ops/strict-options.js";
import type { PositionalThen } from "../../argument-checks.js";
import { checkArray, checkBool, checkChoice, keywords } from "../checks.js";
import { Module } from "../module.js";

export type UpsampleMode = "nearest" | "linear" | "cubic";

export interface UpsampleOptions {
  /** Default "nearest". */
  mode?: UpsampleMode | undefined;
  /** Align the corner samples of input and output (linear and cubic; default false). */
  alignCorners?: boolean | undefined;
  /** Filter before sampling when shrinking (linear and cubic, not with alignCorners; default false). */
  antialias?: boolean | undefined;
}

/** The antialiasing taps: a kernel of `radius` widened by 1/scale when shrinking, weights normalised over the in-range taps. */
function antialiasTaps(mode: "linear" | "cubic", n: number, m: number, scale: number): [MxArray, MxArray][] {
  const pos = positions(n, m, scale, false);
  const widen = scale < 1 ? 1 / scale : 1;
  const radius = mode === "linear" ? 1 : 2;
  const count = Math.ceil(radius * widen) + 1;
  const kernel = (d: MxArray): MxArray => {
    if (mode === "linear") return ops.maximum(ops.subtract(1, d), 0);
    const a = -0.5;
    const inner = ops.add(ops.multiply(ops.multiply(ops.subtract(ops.multiply(d, a + 2), a + 3), d), d), 1);
    const outer = ops.multiply(ops.subtract(ops.multiply(ops.add(ops.multiply(ops.subtract(d, 5), d), 8), d), 4), a);
    return ops.where(ops.lessEqual(d, 1), inner, ops.where(ops.lessEqual(d, 2), outer, 0));
  };
  const base = ops.floor(pos);
  const taps: [MxArray, MxArray][] = [];
  for (let k = -count + 1; k < count; k++) {
    const idx = ops.add(base, k);
    const inside = ops.logicalAnd(ops.greaterEqual(idx, 0), ops.less(idx, n));
    taps.push([idx, ops.where(inside, kernel(ops.divide(ops.abs(ops.subtract(pos, idx)), widen)), 0)]);
  }
  const total = taps.reduce((acc, [, w]) => ops.add(acc, w), ops.zeros(pos.shape));
  const norm = ops.where(ops.greater(total, 0), total, 1);
  return taps.map(([idx, w]) => [ops.astype(ops.clip(idx, 0, n - 1), int32), ops.divide(w, norm)]);
}

/** The source positions of the `m` outputs of an axis of `n` inputs. */
function positions(n: number, m: number, scale: number, alignCorners: boolean): MxArray {
  const i = ops.arange(0, m, float32);
  if (alignCorners) return ops.multiply(i, (n - 1) / Math.max(m - 1, 1));
  const step = 1 / scale;
  const start = ((m - 1) * step - n + 1) / 2;
  return ops.subtract(ops.multiply(i, step), start);
}

/** [indices, weights] pairs whose weighted sum interpolates one axis. */
function taps(mode: UpsampleMode, n: number, m: number, scale: number, alignCorners: boolean): [MxArray, MxArray | null][] {
  const clipIdx = (v: MxArray) => ops.astype(ops.clip(v, 0, n - 1), int32);
  if (mode === "nearest") {
    const i = ops.arange(0, m, float32);
    const src = m > n ? ops.round(ops.subtract(ops.multiply(ops.add(i, 0.5), n / m), 0.5)) : ops.floor(ops.multiply(i, n / m));
    return [[clipIdx(src), null]];
  }
  const pos = positions(n, m, scale, alignCorners);
  if (mode === "linear") {
    const p = ops.clip(pos, 0, n - 1);
    const lo = ops.floor(p);
    const w = ops.subtract(p, lo);
    return [[clipIdx(lo), ops.subtract(1, w)], [clipIdx(ops.ceil(p)), w]];
  }
  const a = -0.75;
  const near = (d: MxArray) => ops.add(ops.multiply(ops.multiply(ops.subtract(ops.multiply(d, a + 2), a + 3), d), d), 1);
  const far = (d: MxArray) => ops.multiply(ops.subtract(ops.multiply(ops.add(ops.multiply(ops.subtract(d, 5), d), 8), d), 4), a);
  const l1 = ops.floor(pos);
  const r1 = ops.floor(ops.add(pos, 1));
  const l2 = ops.subtract(l1, 1);
  const r2 = ops.add(r1, 1);
  const dist = (g: MxArray) => ops.abs(ops.subtract(pos, g));
  return [[clipIdx(l1), near(dist(l1))], [clipIdx(r1), near(dist(r1))], [clipIdx(l2), far(dist(l2))], [clipIdx(r2), far(dist(r2))]];
}

/** Upsamples [N, ...spatial, C] inputs by `scaleFactor` (one number, or one per spatial axis). */
export class Upsample extends Module {
  // #private, behind the scaleFactor getter: a list in a field would be walked as a tree by parameters() and children()
  readonly #scaleFactor: number | readonly number[];
  /** The interpolation: "nearest", "linear" or "cubic". */
  readonly mode: UpsampleMode;
  /** Whether the corner samples of input and output are aligned (linear and cubic). */
  readonly alignCorners: boolean;
  /** Whether the input is filtered before sampling when shrinking (linear and cubic). */
  readonly antialias: boolean;
  /**
   * MLX's `Upsample(scale_factor, mode, align_corners)`: mode and alignCorners
   * positionally (`new nn.Upsample(2, "linear", true)`), or in the options
   * (`new nn.Upsample(2, { mode: "linear", alignCorners: true })`), antialias
   * in the options.
   */
  constructor(scaleFactor: number | readonly number[], ...rest: PositionalThen<[["mode", UpsampleMode], ["alignCorners", boolean]], UpsampleOptions>) {
    super();
    const op = "nn.Upsample";
    noExtraArguments(op, arguments, 4);
    const list = typeof scaleFactor === "number" ? [scaleFactor] : scaleFactor;
    if (!Array.isArray(list) || !list.length || list.some((s) => typeof s !== "number" || !Number.isFinite(s) || s <= 0 || s > 2 ** 10)) {
      throw new TypeError(`[${op}] scaleFactor must be a positive number or a list of them, got ${describeValue(scaleFactor)}`);
    }
    const p = keywords(op, rest, ["mode", "alignCorners", "antialias"]) as UpsampleOptions;
    this.#scaleFactor = typeof scaleFactor === "number" ? scaleFactor : Object.freeze([...list]);
    this.mode = checkChoice(op, "mode", p.mode ?? "nearest", ["nearest", "linear", "cubic"]);
    this.alignCorners = checkBool(op, "alignCorners", p.alignCorners ?? false);
    this.antialias = checkBool(op, "antialias", p.antialias ?? false);
    if (this.antialias && this.mode === "nearest") throw new Error(`[${op}] antialias needs mode 'linear' or 'cubic', not 'nearest'`);
    if (this.antialias && this.alignCorners) throw new Error(`[${op}] antialias does not go with alignCorners`);
  }
  /** The factor each spatial axis is scaled by: one number for all, or a list of one per spatial axis. */
  get scaleFactor(): number | readonly number[] {
    return this.#scaleFactor;
  }
  protected override extraRepr(): string {
    const s = this.#scaleFactor;
    const scale = typeof s === "number" ? String(s) : `[${s.join(", ")}]`;
    return `scaleFactor=${scale}, mode="${this.mode}", alignCorners=${this.alignCorners}${this.antialias ? ", antialias=true" : ""}`;
  }
  /**
   * The upsampled `x`: each spatial axis n becomes floor(n * scale); "nearest" keeps `x`'s dtype, "linear" and "cubic"
   * give `x`'s dtype promoted with float32 (float32 for float16, bfloat16 and integer inputs), as MLX's.
   * @example
   * ```ts
   * const x = mx.array([[[1], [2]]], mx.float32);
   * await new mx.nn.Upsample(2).forward(x).tolist(); // [[[1], [1], [2], [2]]]
   * await new mx.nn.Upsample(2, { mode: "linear", alignCorners: true }).forward(x).reshape([-1]).tolist(); // [1, 1.3333332538604736, 1.6666667461395264, 2]
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.Upsample";
    const a = checkArray(op, x, "x");
    const dims = a.ndim - 2;
    if (dims < 1) throw opError(op, "x must have at least 3 axes [N, ...spatial, C]", [a], "value");
    const factor = this.#scaleFactor;
    const scales = typeof factor === "number" ? Array<number>(dims).fill(factor) : factor;
    if (scales.length !== dims) throw opError(op, `scaleFactor gives ${scales.length} scales for ${dims} spatial axes`, [a], "value");
    return asOp(op, () => {
      let out = a;
      scales.forEach((s, i) => {
        const n = a.shape[i + 1]!;
        const m = Math.floor(s * n);
        const bshape = out.shape.map((_, j) => (j === i + 1 ? m : 1));
        const chosen = this.antialias && this.mode !== "nearest" ? antialiasTaps(this.mode, n, m, s) : taps(this.mode, n, m, s, this.alignCorners);
        const parts = chosen.map(([idx, w]) => {
          const sample = ops.take(out, idx, i + 1);
          // float32 weights, as MLX's: they promote 16-bit and integer inputs to float32
          return w ? ops.multiply(sample, ops.reshape(w, bshape)) : sample;
        });
        out = parts.reduce((acc, p) => ops.add(acc, p));
      });
      return out;
    });
  }
}
