// pinv: the Moore-Penrose pseudo-inverse from the singular value
// decomposition, singular values below MLX's cutoff treated as zero. The
// derivative rules hold where the rank is constant:
// dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P.

import type { MxArray } from "../array.js";
import { Primitive, type Spec } from "../primitive.js";
import { checkMatrixInput } from "./checks.js";
import { batchFirst, on } from "./autodiff.js";
import { mm, mT } from "./linalg-rules.js";
import { node, ops } from "./ops-ref.js";

/** I - x y for matrices x (r x c) and y (c x r). */
function identityMinus(x: MxArray, y: MxArray): MxArray {
  const r = x.shape.at(-2)!;
  return ops.subtract(ops.eye(r, r, 0, { dtype: x.dtype, ...on(x) }), mm(x, y), on(x));
}

export class PseudoInverse extends Primitive {
  readonly name = "pinv";
  /** Matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, false);
  }
  output([a]: readonly Spec[]): Spec {
    const sh = a!.shape;
    return { shape: [...sh.slice(0, -2), sh.at(-1)!, sh.at(-2)!], dtype: a!.dtype };
  }
  /** Abar = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A). */
  override vjp([a]: readonly MxArray[], g: MxArray, p: MxArray): (MxArray | null)[] {
    const o = on(g);
    const pt = mT(p), gt = mT(g);
    const first = ops.negative(mm(pt, g, pt), o);
    const second = mm(identityMinus(a!, p), gt, p, pt);
    const third = mm(pt, p, gt, identityMinus(p, a!));
    return [ops.add(ops.add(first, second, o), third, o)];
  }
  override jvp([a]: readonly MxArray[], [t]: readonly (MxArray | null)[], p: MxArray): MxArray | null {
    if (!t) return null;
    const o = on(p);
    const pt = mT(p), tt = mT(t);
    const first = ops.negative(mm(p, t, p), o);
    const second = mm(p, pt, tt, identityMinus(a!, p));
    const third = mm(identityMinus(p, a!), tt, pt, p);
    return ops.add(ops.add(first, second, o), third, o);
  }
  override vmap([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const x = batchFirst(a!, axis!);
    return [node(new PseudoInverse(), [x], x.stream), 0];
  }
}
