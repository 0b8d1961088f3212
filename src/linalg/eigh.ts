// linalg.eigh and linalg.eigvalsh: eigenvalues (ascending) and eigenvectors
// of symmetric (complex64: Hermitian) matrices given by one triangle (MLX's mx.linalg.eigh and
// eigvalsh, NumPy's), batched over leading axes.

import type { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { Eigh } from "../primitives/linalg-eigh.js";
import { nodes, type ArrayLike, type OpOptions } from "../ops/base.js";
import { flagOrOptions, linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

export interface EighOptions extends OpOptions {
  /** The triangle of `a` that is read: "L" (lower, the default) or "U" (upper). */
  UPLO?: "L" | "U" | undefined;
}

/** The factorization node(s) of `op` after its argument checks. */
function eighOf(op: string, a: ArrayLike, uplo: unknown, o: unknown, vectors: boolean): MxArray[] {
  const opts = flagOrOptions<EighOptions>(op, "UPLO", uplo, o);
  const { x, s } = linalgInput(op, a, opts, ["UPLO"]);
  const u: unknown = opts.UPLO ?? "L";
  if (u !== "L" && u !== "U") throw opError(op, `UPLO must be "L" or "U", got ${describeValue(u)}`, [], "value");
  return nodes(new Eigh(u === "U", vectors), [x], s);
}

/**
 * The eigenvalues (ascending) and the eigenvectors (the columns of the second
 * output, orthonormal; each defined up to sign) of each symmetric matrix in
 * the last two axes of `a` (float32 or float64), of which only the triangle
 * `UPLO` ("L" default, or "U") is read. A complex64 `a` is Hermitian: the
 * triangle read, its conjugate mirrored, the diagonal's imaginary parts not
 * read; its eigenvalues are float32 and its eigenvectors complex64 (each
 * defined up to a phase), as MLX's. Computed by Jacobi rotations in float64
 * (complex128), the matrix scaled by a power of two first (any float64
 * scale is safe), and rounded once. Runs on the cpu stream only, as in MLX.
 * Gradients for real inputs (complex64 has none, as MLX's eigh has none).
 * `UPLO` may be passed positionally.
 * @example
 * ```ts
 * const a = mx.array([[2, 1], [1, 2]], mx.float32);
 * const [w, v] = mx.linalg.eigh(a, { stream: mx.cpu });
 * await w.tolist(); // [1, 3]
 * v.shape; // [2, 2]
 * ```
 */
export function eigh(a: ArrayLike, UPLO?: "L" | "U" | EighOptions, o?: EighOptions): [MxArray, MxArray] {
  noExtraArguments("linalg.eigh", arguments, 3);
  return asOp("linalg.eigh", () => {
    const [w, v] = eighOf("linalg.eigh", a, UPLO, o, true);
    return [w!, v!];
  });
}

/**
 * The eigenvalues (ascending) of each symmetric matrix in the last two axes
 * of `a`, of which only the triangle `UPLO` ("L" default, or "U") is read;
 * as `eigh` without the vectors.
 * @example
 * ```ts
 * const a = mx.array([[2, 1], [1, 2]], mx.float32);
 * await mx.linalg.eigvalsh(a, { stream: mx.cpu }).tolist(); // [1, 3]
 * ```
 */
export function eigvalsh(a: ArrayLike, UPLO?: "L" | "U" | EighOptions, o?: EighOptions): MxArray {
  noExtraArguments("linalg.eigvalsh", arguments, 3);
  return asOp("linalg.eigvalsh", () => {
    return eighOf("linalg.eigvalsh", a, UPLO, o, false)[0]!;
  });
}
