// Argument checks the mx.linalg functions share (MLX's): a float32/float64
// array (complex64 too for svd, eig and eigh) of at least two dimensions,
// square where the function needs it, on a stream whose backend has the op's
// kernel (MLX runs its factorizations on the CPU only), and MLX's positional
// flag (upper, UPLO, computeUV) or an options object.

import { getBackend } from "../../backends/backend.js";
import { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { complex64, float32, float64 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkArrayLike, opStream, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { checkMatrix } from "../primitives/checks.js";
import { checkMatrixShape } from "../primitives/linalg-rules.js";
import { checkOptions } from "../ops/strict-options.js";

/**
 * The options of `op` called as `f(a, flag, options)` or `f(a, options)`: the
 * flag given positionally is stored under `key`; giving it both ways is an error.
 */
export function flagOrOptions<O extends OpOptions>(op: string, key: string, second: unknown, third: unknown): O {
  const isOptions = (v: unknown) => typeof v === "object" && v !== null && !(v instanceof MxArray) && !Array.isArray(v);
  if (second === undefined) {
    // f(a, undefined, options): the flag left out positionally
    if (third !== undefined && !isOptions(third)) throw opError(op, `options must be an object such as { ${key}, stream }, got ${describeValue(third)}`, [], "type");
    return (third ?? {}) as O;
  }
  if (isOptions(second)) {
    if (third !== undefined) throw opError(op, `give ${key} once: ${op}(a, ${key}, { stream }) or ${op}(a, { ${key}, stream }), got a third argument ${describeValue(third)}`, [], "type");
    return second as O;
  }
  if (third !== undefined && !isOptions(third)) {
    throw opError(op, `options must be an object such as { stream }, got ${describeValue(third)}`, [], "type");
  }
  if (third !== undefined && key in (third as object)) throw opError(op, `${key} was given twice (positionally and in the options)`, [], "type");
  return { ...(third as O | undefined), [key]: second } as O;
}

/** The boolean option `name` of `op` (default false). */
export function boolFlag(op: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw opError(op, `${name} must be a boolean, got ${describeValue(v)}`, [], "type");
  return v;
}

/**
 * The matrix argument `a` of linalg op `op` with its stream: options checked
 * (keys in `allowed`), a cpu stream, float32 or float64, at least two dims,
 * square unless `square` is false.
 */
export function linalgInput(op: string, a: ArrayLike, o: OpOptions | undefined, allowed: readonly string[], square = true, name = "a"): { x: MxArray; s: Stream } {
  checkOptions(op, o, allowed);
  checkArrayLike(op, a, name);
  const s = opStream(op, o, a);
  cpuOnly(op, s);
  const x = toArray(op, a, s, undefined, name);
  checkFactorDtype(op, x, name);
  if (x.dtype === complex64) checkMatrixShape(op, x, square, name);
  else checkMatrix(op, x, square, name);
  return { x, s };
}

/**
 * The one dtype rule of the factorizations and solves (MLX's check_float):
 * float32 or float64 only, nothing promoted or computed through another
 * dtype; svd, eig, eigvals, eigh and eigvalsh also take complex64 (MLX's
 * check_float_or_complex); det, slogdet and norm are the ones that take any
 * real dtype.
 */
export function checkFactorDtype(op: string, x: MxArray, name = "a"): void {
  if (x.dtype === float32 || x.dtype === float64) return;
  if (x.dtype === complex64 && TAKE_COMPLEX.has(op)) return;
  throw opError(
    op,
    `${name} must be float32 or float64, got ${x.dtype.name} (mx.linalg's factorizations and solves compute in these two only, as MLX's, except svd, eig, eigvals, eigh and eigvalsh, which take complex64 too; det, slogdet and norm also take integers and 16-bit floats): cast it with mx.astype(${name}, mx.float32)`,
    [x],
    "type",
  );
}

/** The factorizations that take complex64 too, as MLX's (check_float_or_complex): the cpu stream's complex128 algorithms, rounded once. */
const TAKE_COMPLEX = new Set(["linalg.svd", "linalg.eig", "linalg.eigvals", "linalg.eigh", "linalg.eigvalsh"]);

/** The primitive each mx.linalg function builds, where its name is not the function's. */
const PRIMITIVE_OF: Readonly<Record<string, string>> = {
  "linalg.solveTriangular": "solve",
  "linalg.eigvalsh": "eigh",
  "linalg.eigvals": "eig",
  "linalg.lu": "luFactor",
  "linalg.choleskyInv": "triInv",
};

/**
 * MLX runs the factorizations on its CPU stream only; here a backend runs
 * the ones it has kernels for (its `kernels` or `multiKernels` table holds
 * the primitive), elsewhere an error that says so.
 */
export function cpuOnly(op: string, s: Stream): void {
  const backend = getBackend(s.device.backend);
  const primitive = PRIMITIVE_OF[op] ?? op.replace(/^linalg\./, "");
  if (backend.kernels[primitive] || backend.multiKernels?.[primitive]) return;
  throw opError(op, `runs on the cpu only for now (it is not implemented on backend '${s.device.backend}'): pass { stream: mx.cpu } in the options`);
}
