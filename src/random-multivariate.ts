// mx.random.multivariateNormal as MLX composes it: the covariance's symmetric
// square root from an SVD (computed on the cpu, where the factorizations run)
// applied to standard normal samples, plus the mean.

import type { MxArray } from "./array.js";
import { cpu } from "./device.js";
import { float32, isDType, type DType } from "./dtype.js";
import { describeValue, opError } from "./errors.js";
import type { PositionalThen } from "./argument-checks.js";
import { samplerArgs } from "./random-checks.js";
import { svd } from "./linalg/svd.js";
import { checkArrayLike, opStream, toArray, type ArrayLike } from "./ops/base.js";
import { add, astype, multiply, sqrt } from "./ops/elementwise.js";
import { expandDims, squeeze } from "./ops/layout.js";
import { matmul } from "./ops/linalg.js";
import { broadcastShapes, checkShape } from "./shape.js";
import { asOp, noExtraArguments } from "./ops/strict-options.js";
import { normal, type KeyOptions } from "./random.js";

export interface MultivariateNormalOptions extends KeyOptions {
  /** The sample shape, broadcast with the batch shapes of mean and cov; the output is shape + [n]. */
  shape?: readonly number[] | undefined;
  /** float32, the only dtype MLX samples it in. */
  dtype?: DType | undefined;
}

/**
 * Samples from the multivariate normal distributions of `mean` (..., n) and
 * covariance `cov` (..., n, n, symmetric positive semi-definite), shape
 * broadcast(cov's batch, mean's batch, `shape`) + [n]: standard normal
 * samples z times the covariance's symmetric square root U diag(√S) V^T (an
 * SVD of cov in float32, computed on the cpu), plus the mean, as MLX. The
 * sampling runs on the stream given (or the inputs'); float32 only. MLX's
 * `multivariate_normal(mean, cov, shape, dtype, key)`: shape, dtype and key
 * positionally, or in the options.
 * @example
 * ```ts
 * const mean = mx.array([0, 10], mx.float32);
 * const cov = mx.array([[1, 0.5], [0.5, 2]], mx.float32);
 * const x = mx.random.multivariateNormal(mean, cov, [1000], { key: mx.random.key(0), stream: mx.cpu });
 * x.shape; // [1000, 2]
 * mx.random.multivariateNormal(mean, cov, [3], mx.float32, mx.random.key(0), { stream: mx.cpu }).shape; // [3, 2]
 * ```
 */
export function multivariateNormal(mean: ArrayLike, cov: ArrayLike, ...rest: PositionalThen<[["shape", readonly number[]], ["dtype", DType], ["key", MxArray]], MultivariateNormalOptions>): MxArray {
  noExtraArguments("random.multivariateNormal", arguments, 6);
  const op = "random.multivariateNormal";
  return asOp(op, () => {
    const opts = samplerArgs<MultivariateNormalOptions>(op, rest, ["shape", "dtype", "key"]);
    if (opts.shape !== undefined && !Array.isArray(opts.shape)) throw opError(op, `shape must be a list of dimensions, got ${describeValue(opts.shape)}`, [], "type");
    const dtype = opts.dtype ?? float32;
    if (!isDType(dtype) || dtype !== float32) throw opError(op, `dtype must be float32 (as MLX), got ${isDType(dtype) ? dtype.name : describeValue(dtype)}`, [], "type");
    const sampleShape = checkShape(op, opts.shape ?? []);
    checkArrayLike(op, mean, "mean");
    checkArrayLike(op, cov, "cov");
    const s = opStream(op, opts, mean, cov);
    const so = { stream: s };
    const m = astype(toArray(op, mean, s, float32, "mean"), float32, so);
    const c = toArray(op, cov, s, float32, "cov");
    if (m.ndim < 1) throw opError(op, "mean must have at least one dimension", [m], "value");
    if (c.ndim < 2) throw opError(op, "cov must have at least two dimensions", [c], "value");
    const n = m.shape.at(-1)!;
    if (c.shape.at(-1) !== c.shape.at(-2)) throw opError(op, `cov must be square in its last two dimensions, got ${c.shape.at(-2)} x ${c.shape.at(-1)}`, [c], "value");
    if (c.shape.at(-1) !== n) throw opError(op, `mean (last dimension ${n}) and cov (${c.shape.at(-1)} x ${c.shape.at(-1)}) must have compatible shapes`, [m, c], "value");
    const batch = broadcastShapes(op, broadcastShapes(op, c.shape.slice(0, -2), m.shape.slice(0, -1)), sampleShape);
    // the covariance's square root U diag(sqrt(S)) V^T, factored on the cpu
    const onCpu = { stream: cpu };
    const [u, sv, vt] = svd(astype(c, float32, onCpu), onCpu);
    const root = matmul(multiply(u, expandDims(sqrt(sv, onCpu), -2, onCpu), onCpu), vt, onCpu);
    const z = normal([...batch, n], { dtype: float32, key: opts.key, stream: s });
    return add(m, squeeze(matmul(expandDims(z, -2, so), root, so), -2, so), so);
  });
}
