// Primitives that are neither elementwise, reductions nor layout:
// matmul (batched, broadcast batch dims), arange, and Threefry random bits.

import type { MxArray } from "../array.js";
import { float32, isInexact, uint16, uint32, uint8, type DType } from "../dtype.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { addOptional, batchFirst, on } from "./autodiff.js";
import { checkChoice, checkDims, checkDType, checkInputCount, checkInt, checkRank, checkSameDType } from "./checks.js";
import { MAX_DIM } from "../shape.js";
import { opError } from "../errors.js";

/**
 * a: [...batch, M, K], b: [...batch, K, N] with equal batch shapes and dtypes
 * (the op broadcasts and promotes); integer operands (int8 or uint8 pairs)
 * give float32, the exact sums rounded once.
 */
export class Matmul extends Primitive {
  readonly name = "matmul";
  /** Matrices of one dtype (the kernels read both as it); the output rule checks their shapes. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 2);
    checkRank(this.name, "the first operand", inputs[0]!, 2, true);
    checkRank(this.name, "the second operand", inputs[1]!, 2, true);
    checkSameDType(this.name, inputs, ["the first operand", "the second operand"]);
  }
  output([a, b]: readonly Spec[]): Spec {
    // the op checks these; a shapeless replay (compile, an imported file) reaches here without it
    const k = a!.shape[a!.shape.length - 1], kb = b!.shape[b!.shape.length - 2];
    const batchOk = a!.shape.length === b!.shape.length && b!.shape.slice(0, -2).every((d, i) => d === a!.shape[i]);
    if (k !== kb || !batchOk) throw new Error(`[matmul] operands of shapes (${a!.shape.join(", ")}) and (${b!.shape.join(", ")}) do not multiply`);
    const shape = [...a!.shape.slice(0, -1), b!.shape[b!.shape.length - 1]!];
    return { shape, dtype: isInexact(a!.dtype) ? a!.dtype : float32 };
  }
  /** No cotangent for an integer operand. */
  override vjp([a, b]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    return [
      isInexact(a!.dtype) ? ops.matmul(ct, ops.swapaxes(b!, -1, -2, o), o) : null,
      isInexact(b!.dtype) ? ops.matmul(ops.swapaxes(a!, -1, -2, o), ct, o) : null,
    ];
  }
  override jvp([a, b]: readonly MxArray[], [ta, tb]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    const o = on(out);
    return addOptional(ta ? ops.matmul(ta, b!, o) : null, tb ? ops.matmul(a!, tb, o) : null);
  }
  /** The batch goes first on both (an unbatched operand gets a size-1 batch dim), matmul broadcasts it. */
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const [a, b] = inputs.map((x, i) => (axes[i] === null ? ops.expandDims(x, 0, on(x)) : batchFirst(x, axes[i]!)));
    return [ops.matmul(a!, b!, on(a!)), 0];
  }
}

/** Element i is start + i * step, computed in float64 and rounded once to `dtype`. */
export class Arange extends Primitive {
  readonly name = "arange";
  constructor(
    readonly start: number,
    readonly step: number,
    readonly count: number,
    readonly dtype: DType,
  ) {
    super();
  }
  override params() {
    return { start: this.start, step: this.step, count: this.count, dtype: this.dtype.name };
  }
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 0);
    checkInt(this.name, "count", this.count, 0, MAX_DIM);
    checkDType(this.name, "dtype", this.dtype);
  }
  output(): Spec {
    return { shape: [this.count], dtype: this.dtype };
  }
}

/**
 * Threefry-2x32 (20 rounds) bits in MLX's counter layout, so streams match
 * MLX bit for bit. The key is uint32 of shape [...batch, 2] (MLX's keys of
 * shape [..., 2]): the output is [...batch, ...shape], item b the stream of
 * `shape` that key b alone gives. `width` is 1, 2 or 4 bytes.
 */
export class RandomBits extends Primitive {
  readonly name = "randomBits";
  constructor(
    /** The shape each key draws (the output's after the keys' batch dims). */
    readonly shape: readonly number[],
    readonly width: 1 | 2 | 4,
  ) {
    super();
  }
  override params() {
    return { shape: this.shape, width: this.width };
  }
  /** The one input holds keys: uint32 whose last dim, of size 2, holds each key's two words. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const k = inputs[0]!;
    if (k.dtype !== uint32 || k.shape[k.shape.length - 1] !== 2) {
      throw opError(this.name, "the key must be a uint32 array of shape (2,), or keys of shape (..., 2)", inputs, "type");
    }
    checkDims(this.name, "shape", this.shape);
    checkChoice(this.name, "width", this.width, [1, 2, 4]);
  }
  output([key]: readonly Spec[]): Spec {
    return { shape: [...key!.shape.slice(0, -1), ...this.shape], dtype: this.width === 4 ? uint32 : this.width === 2 ? uint16 : uint8 };
  }
  /** The key batched at any axis: the batch moves first, and one draw hashes every key (MLX's vmap). */
  override vmap([key]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const keys = batchFirst(key!, axis!);
    return [node(new RandomBits(this.shape, this.width), [keys], keys.stream), 0];
  }
}
