// linalg.eig and linalg.eigvals: eigenvalues and right eigenvectors of
// general real or complex square matrices (MLX's mx.linalg.eig and eigvals), complex64
// whatever the input's dtype, batched over leading axes.

import type { MxArray } from "../array.js";
import { Eig } from "../primitives/linalg-eig.js";
import { nodes, type ArrayLike, type OpOptions } from "../ops/base.js";
import { linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

/**
 * The eigenvalues and right eigenvectors of each square matrix in the last
 * two axes of `a` (float32, float64 or complex64): w (..., n) and v (..., n,
 * n) with A v[:, k] = w[k] v[:, k], both complex64 even where the
 * eigenvalues are real (as MLX's, unlike NumPy's). The eigenvalues come in
 * no particular order (a real matrix's complex ones in conjugate pairs);
 * each eigenvector has unit 2-norm and its largest component real and
 * positive. Computed in float64 (complex128: Hessenberg reduction, then
 * shifted QR steps to the complex Schur form, then back-substitution) and
 * rounded once. Runs on the cpu stream only, as in MLX.
 * @example
 * ```ts
 * const a = mx.array([[1, -2], [-2, 1]], mx.float32);
 * const [w, v] = mx.linalg.eig(a, { stream: mx.cpu });
 * [w.dtype.name, v.shape]; // ["complex64", [2, 2]]
 * await mx.real(w, { stream: mx.cpu }).tolist(); // [3, -1]
 * ```
 */
export function eig(a: ArrayLike, o?: OpOptions): [MxArray, MxArray] {
  noExtraArguments("linalg.eig", arguments, 2);
  return asOp("linalg.eig", () => {
    const { x, s } = linalgInput("linalg.eig", a, o, []);
    const [w, v] = nodes(new Eig(true), [x], s);
    return [w!, v!];
  });
}

/**
 * The eigenvalues of each square matrix in the last two axes of `a`
 * (float32, float64 or complex64), complex64 (as MLX's), in no particular order; as
 * `eig` without the vectors.
 * @example
 * ```ts
 * const rotation = mx.array([[0, -1], [1, 0]], mx.float32);
 * const w = mx.linalg.eigvals(rotation, { stream: mx.cpu });
 * await mx.imag(w, { stream: mx.cpu }).tolist(); // [1, -1]
 * ```
 */
export function eigvals(a: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("linalg.eigvals", arguments, 2);
  return asOp("linalg.eigvals", () => {
    const { x, s } = linalgInput("linalg.eigvals", a, o, []);
    return nodes(new Eig(false), [x], s)[0]!;
  });
}
