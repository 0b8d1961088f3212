// CPU kernels for the elementwise primitives: per-op JS expressions (float64
// for floats, exact 32-bit integer arithmetic, BigInt for 64-bit integers)
// compiled into strided loops; the output store rounds once to its dtype.

import type { Backend, Kernel, OutputSpec, Tensor } from "../backend.js";
import { bool, is64BitInt, type DType } from "../../src/dtype.js";
import type { Binary, BinaryOp, Unary, UnaryOp } from "../../src/primitives/elementwise.js";
import { broadcastView, collapseDims, isRowMajor } from "../strides.js";
import { compileMap, type MapLoop } from "./loops.js";
import { allocOutput, bitsDtype, wordLayout, wordsOf } from "./tensor.js";

/** Expressions per dtype class: f float (a function of the dtype where the op rounds to it mid-way), i signed <= 32 bits, u unsigned <= 32 bits, bool, big 64-bit. */
interface Exprs {
  f?: string | ((dtype: DType) => string);
  i?: string;
  u?: string;
  bool?: string;
  big?: string;
}

const same = (e: string): Exprs => ({ f: e, big: e });

export const UNARY_EXPRS: Record<UnaryOp, Exprs> = {
  abs: { f: "Math.abs(a)", big: "(a < 0n ? -a : a)" },
  negative: same("-a"),
  sign: { f: "(a > 0 ? 1 : a < 0 ? -1 : a)", big: "(a > 0n ? 1n : a < 0n ? -1n : 0n)" },
  floor: { f: "Math.floor(a)", i: "a", big: "a" },
  ceil: { f: "Math.ceil(a)", i: "a", big: "a" },
  round: { f: "H.rint(a)", i: "a", big: "a" },
  square: { f: "a * a", i: "Math.imul(a, a)", big: "a * a" },
  sqrt: { f: "Math.sqrt(a)" },
  rsqrt: { f: "1 / Math.sqrt(a)" },
  reciprocal: { f: "1 / a" },
  exp: { f: "Math.exp(a)" },
  expm1: { f: "Math.expm1(a)" },
  log: { f: "Math.log(a)" },
  log2: { f: "Math.log2(a)" },
  log10: { f: "Math.log10(a)" },
  log1p: { f: "Math.log1p(a)" },
  sin: { f: "Math.sin(a)" },
  cos: { f: "Math.cos(a)" },
  tan: { f: "Math.tan(a)" },
  arcsin: { f: "Math.asin(a)" },
  arccos: { f: "Math.acos(a)" },
  arctan: { f: "Math.atan(a)" },
  sinh: { f: "Math.sinh(a)" },
  cosh: { f: "Math.cosh(a)" },
  tanh: { f: "Math.tanh(a)" },
  arcsinh: { f: "Math.asinh(a)" },
  arccosh: { f: "Math.acosh(a)" },
  arctanh: { f: "Math.atanh(a)" },
  sigmoid: { f: "H.sigmoid(a)" },
  erf: { f: "H.erf(a)" },
  erfinv: { f: "H.erfinv(a)" },
  isnan: { f: "a !== a", i: "false", big: "false" },
  isinf: { f: "(a === Infinity || a === -Infinity)", i: "false", big: "false" },
  isfinite: { f: "(a - a === 0)", i: "true", big: "true" },
  logicalNot: { f: "a === 0", big: "a === 0n" },
  bitwiseInvert: { i: "~a", bool: "(a ? 0 : 1)", big: "~a" },
  stopGradient: same("a"),
};

export const BINARY_EXPRS: Record<BinaryOp, Exprs> = {
  add: same("a + b"),
  subtract: same("a - b"),
  multiply: { f: "a * b", i: "Math.imul(a, b)", big: "a * b" },
  divide: { f: "a / b" },
  // MLX's floor(divide(a, b)): the quotient rounded to the dtype as divide's store rounds it, then floored
  floorDivide: { f: (d) => `Math.floor(${roundedTo(d, "a / b")})`, i: "(b === 0 ? 0 : Math.floor(a / b))", big: "H.floorDivB(a, b)" },
  remainder: { f: "H.remF(a, b)", i: "(b === 0 ? 0 : H.remI(a, b))", big: "H.remB(a, b)" },
  power: { f: "H.powF(a, b)", i: "H.powI(a, b)", big: "H.powB(a, b)" },
  maximum: { f: "((a >= b || a !== a) ? a : b)", big: "(a >= b ? a : b)" },
  minimum: { f: "((a <= b || a !== a) ? a : b)", big: "(a <= b ? a : b)" },
  logaddexp: { f: "H.logaddexp(a, b)" },
  arctan2: { f: "Math.atan2(a, b)" },
  bitwiseAnd: { i: "(a & b)", big: "(a & b)" },
  bitwiseOr: { i: "(a | b)", big: "(a | b)" },
  bitwiseXor: { i: "(a ^ b)", big: "(a ^ b)" },
  leftShift: { i: "((b < 0 || b >= 32) ? 0 : a << b)", big: "((b < 0n || b >= 64n) ? 0n : a << b)" },
  rightShift: {
    i: "((b < 0 || b >= 32) ? (a < 0 ? -1 : 0) : a >> b)",
    u: "((b >= 32) ? 0 : a >>> b)",
    big: "((b < 0n || b >= 64n) ? (a < 0n ? -1n : 0n) : a >> b)",
  },
  equal: same("a === b"),
  notEqual: same("a !== b"),
  less: same("a < b"),
  lessEqual: same("a <= b"),
  greater: same("a > b"),
  greaterEqual: same("a >= b"),
  logicalAnd: { f: "(a !== 0 && b !== 0)", big: "(a !== 0n && b !== 0n)" },
  logicalOr: { f: "(a !== 0 || b !== 0)", big: "(a !== 0n || b !== 0n)" },
};

/** The expression for inputs of `dtype`, or undefined when the op has none for it. */
export function exprFor(ex: Exprs, dtype: DType): string | undefined {
  const f = typeof ex.f === "function" ? ex.f(dtype) : ex.f;
  if (dtype.kind === "float") return f;
  if (is64BitInt(dtype)) return ex.big;
  if (dtype === bool) return ex.bool ?? ex.i ?? f;
  if (dtype.kind === "uint") return ex.u ?? ex.i ?? f;
  return ex.i ?? f;
}

/** Loads an element of `dtype` as a JS value ("@" is the element access). */
export function readAs(dtype: DType): string {
  return dtype.name === "float16" ? "H.T16[@]" : dtype.name === "bfloat16" ? "H.TB16[@]" : "@";
}

/** Stores value expression `e` as a storage word of `dtype`, rounding once. */
export function writeAs(dtype: DType, e: string): string {
  if (dtype === bool) return `((${e}) ? 1 : 0)`;
  if (dtype.name === "float16") return `H.f16(${e})`;
  if (dtype.name === "bfloat16") return `H.bf16(${e})`;
  return e;
}

/** Float value expression `e` rounded to float `dtype` and read back: the value a store of it and a load give. */
function roundedTo(dtype: DType, e: string): string {
  return dtype.name === "float32" ? `Math.fround(${e})` : readAs(dtype).replace("@", writeAs(dtype, e));
}

/** Runs a compiled map over inputs that broadcast to the output into a new contiguous output. */
export function runMap(backend: Backend, inputs: readonly Tensor[], spec: OutputSpec, reads: string[], body: string): Tensor {
  const types = `${inputs.map((x) => x.dtype.name).join(",")}>${spec.dtype.name}`;
  return runLoop(backend, inputs, spec, compileMap(types, reads, body));
}

/** True when `x` is row-major with the output's shape, or a single element (read with stride 0). */
function flatReadable(x: Tensor, n: number, shape: readonly number[]): boolean {
  if (x.shape.length === 0) return true;
  if (x.shape.length !== shape.length) return false;
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (x.shape[d] !== shape[d]) return false;
    if (shape[d] !== 1 && x.strides[d] !== acc) return false;
    acc *= shape[d]!;
  }
  return acc === n;
}

function runLoop(backend: Backend, inputs: readonly Tensor[], spec: OutputSpec, loop: MapLoop): Tensor {
  const { t, w } = allocOutput(backend, spec);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (inputs.every((x) => x.dtype.kind !== "complex" && flatReadable(x, n, spec.shape))) {
    // fast path: one flat loop; scalars are read with stride 0
    const flatShape = [n];
    const strides = inputs.map((x) => [x.shape.length === 0 ? 0 : 1]);
    loop(w, 0, inputs.map(wordsOf), inputs.map((x) => x.offset), flatShape, strides, strides.every((s) => s[0] === 1));
    return t;
  }
  const layouts = inputs.map((x) => wordLayout(broadcastView(x, spec.shape)));
  const { shape, strides } = collapseDims(spec.shape, layouts.map((l) => l.strides));
  const contiguous = strides.every((s) => isRowMajor(shape, s));
  loop(w, 0, inputs.map(wordsOf), layouts.map((l) => l.offset), shape, strides, contiguous);
  return t;
}

/** Compiled loops per op, input dtype and output dtype (no string keys on the hot path). */
function loopCache(build: (op: string, input: DType, output: DType) => MapLoop) {
  const cache = new Map<string, Map<DType, Map<DType, MapLoop>>>();
  return (op: string, input: DType, output: DType): MapLoop => {
    let byIn = cache.get(op);
    if (!byIn) cache.set(op, (byIn = new Map()));
    let byOut = byIn.get(input);
    if (!byOut) byIn.set(input, (byOut = new Map()));
    let loop = byOut.get(output);
    if (!loop) byOut.set(output, (loop = build(op, input, output)));
    return loop;
  };
}

function noExpr(op: string, dtype: DType): Error {
  return new Error(`[${op}] has no CPU kernel for dtype ${dtype.name}`);
}

export function unaryKernel(backend: Backend): Kernel {
  const loops = loopCache((op, d, o) => {
    const e = exprFor(UNARY_EXPRS[op as UnaryOp], d);
    if (e === undefined) throw noExpr(op, d);
    return compileMap(`${d.name}>${o.name}`, [readAs(d)], writeAs(o, e));
  });
  return (prim, [x], out) => runLoop(backend, [x!], out, loops((prim as Unary).name, x!.dtype, out.dtype));
}

export function binaryKernel(backend: Backend): Kernel {
  const loops = loopCache((op, d, o) => {
    const e = exprFor(BINARY_EXPRS[op as BinaryOp], d);
    if (e === undefined) throw noExpr(op, d);
    return compileMap(`${d.name},${d.name}>${o.name}`, [readAs(d), readAs(d)], writeAs(o, e));
  });
  return (prim, [x, y], out) => runLoop(backend, [x!, y!], out, loops((prim as Binary).name, x!.dtype, out.dtype));
}

/** Storage words are copied as they are (no decoding; float words as unsigned integers, which JS numbers could quiet), so payloads survive. */
export function whereKernel(backend: Backend): Kernel {
  return (_prim, [c, x, y], out) => {
    const d = bitsDtype(out.dtype);
    if (d === out.dtype) return runMap(backend, [c!, x!, y!], out, ["@", "@", "@"], "(a ? b : c)");
    const t = runMap(backend, [c!, { ...x!, dtype: d }, { ...y!, dtype: d }], { ...out, dtype: d }, ["@", "@", "@"], "(a ? b : c)");
    return { ...t, dtype: out.dtype };
  };
}

/** The conversion expression from `src` to `dst` (see README: casts). */
export function castExpr(src: DType, dst: DType): string {
  const srcBig = is64BitInt(src), dstBig = is64BitInt(dst);
  if (dst === bool) return srcBig ? "(a !== 0n ? 1 : 0)" : "(a !== 0 ? 1 : 0)";
  if (dst.kind === "float") {
    if (!srcBig) return writeAs(dst, "a");
    return dst.name === "float64" ? "Number(a)" : writeAs(dst, "H.b2fOdd(a)");
  }
  // integer destination
  if (dstBig) {
    if (srcBig) return "a";
    return src.kind === "float" ? `H.f2b(a, ${dst.kind === "uint"})` : "BigInt(a)";
  }
  if (srcBig) return "Number(BigInt.asIntN(32, a))";
  if (src.kind === "float") {
    const bits = dst.size * 8;
    const [lo, hi] = dst.kind === "uint" ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
    return `H.f2i(a, ${lo}, ${hi})`;
  }
  return "a";
}

export function astypeKernel(backend: Backend): Kernel {
  const loops = loopCache((_op, d, o) => compileMap(`${d.name}>${o.name}`, [readAs(d)], castExpr(d, o)));
  return (_prim, [x], out) => runLoop(backend, [x!], out, loops("astype", x!.dtype, out.dtype));
}
