// The errors the linalg kernels of every backend raise for a matrix they cannot
// factor, worded once so that each backend reports the cpu reference's text
// (the op's name is put in front by eval, or by the backend's error report).

/** Matrix `b` of a batch has an exact zero pivot in its LU factorization (inv, solve; MLX raises too). */
export const singularMessage = (b: number) => `matrix ${b} of the batch is singular (an exact zero pivot in its LU factorization)`;

/**
 * Matrix `b` of a batch is a triangle with an exact zero on its diagonal, first
 * in row `j` (triInv, solveTriangular, choleskyInv; LAPACK trtri's info > 0,
 * an error in MLX too).
 */
export const singularTriangleMessage = (b: number, j: number) => `matrix ${b} of the batch is singular (its triangle has an exact zero on the diagonal, in row ${j})`;

/** The first matrix of `diagonals` (`n` entries to a matrix, in batch order) with an exact zero, and its row; undefined when there is none. */
export function firstZeroDiagonal(diagonals: ArrayLike<number>, batch: number, n: number): { b: number; j: number } | undefined {
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) if (diagonals[b * n + j] === 0) return { b, j };
  }
  return undefined;
}

/**
 * Matrix `b` of a batch is not positive definite: the pivot of column `j` of
 * its Cholesky factorization is not positive or is NaN (LAPACK potrf's info > 0).
 */
export const notPositiveDefiniteMessage = (b: number, j: number) =>
  `matrix ${b} of the batch is not positive definite (the pivot of column ${j} of its Cholesky factorization is not positive, or is NaN)`;

/**
 * The first matrix of `diagonals` (the factors' diagonals, `n` to a matrix, in
 * batch order) with an entry that is not positive or is NaN, and that column;
 * undefined when every pivot is positive.
 */
export function firstFailedPivot(diagonals: ArrayLike<number>, batch: number, n: number): { b: number; j: number } | undefined {
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) if (!(diagonals[b * n + j]! > 0)) return { b, j };
  }
  return undefined;
}
