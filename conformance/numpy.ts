// The cpu reference checked against an independent implementation: NumPy
// (Debian's python3-numpy, run as one subprocess fed JSON lines) evaluates the
// same generated cases for every op it has. NumPy computes float16 through
// float32 and its float32 transcendental functions are accurate to a few ulp,
// so the contract here is: exact results equal, correctly rounded ops within
// 1 ulp for float16 (double rounding) and 0 otherwise, transcendental
// functions within 4 ulp plus the reference's 1, sums, means, products and
// matmul (NumPy told to accumulate in float64, as the reference does) within
// their float64 condition bound plus the final rounding. Where NumPy's result is
// undefined (C casts of NaN to ints, integer division by zero, shifts past the
// width) the element is outside the comparison and counted.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as mx from "../index.js";
import { inputSource, materialize } from "./check.js";
import { sameValue, ulpDistance, ulpOf } from "./numerics.js";
import type { Case, OpEntry, Params } from "./opdb.js";
import { checkCell, newCell, type CellResult, type RunOutcome } from "./property.js";
import { INDEXING_NUMPY } from "./opdb-indexing.js";
import { SCAN_NUMPY } from "./opdb-scan.js";
import { LINALG_NUMPY } from "./opdb-linalg.js";
import { FAST_NUMPY } from "./opdb-fast.js";
import { ATTENTION_NUMPY } from "./opdb-fast-attention.js";
import { QUANTIZED_NUMPY } from "./opdb-quantized.js";
import { MATMUL_NUMPY } from "./opdb-matmul.js";
import { CONV_NUMPY } from "./opdb-conv.js";
import { FFT_NUMPY } from "./opdb-fft.js";
import { SHAPES_NUMPY_EXPR } from "./opdb-shapes.js";
import { API_NUMPY } from "./opdb-api.js";

/** The interpreter that answers NumPy's side: Debian's python3-numpy installs into the system one; MLX_TS_PYTHON names another. */
export const PYTHON = process.env.MLX_TS_PYTHON ?? "/usr/bin/python3";

const ax = "(None if p['axes'] is None else tuple(p['axes']))";
const UFUNC: Record<string, string> = {
  abs: "absolute", negative: "negative", sign: "sign", square: "square", floor: "floor", ceil: "ceil",
  sqrt: "sqrt", reciprocal: "reciprocal", exp: "exp", expm1: "expm1", log: "log", log2: "log2", log10: "log10", log1p: "log1p",
  sin: "sin", cos: "cos", tan: "tan", arcsin: "arcsin", arccos: "arccos", arctan: "arctan", sinh: "sinh", cosh: "cosh", tanh: "tanh",
  arcsinh: "arcsinh", arccosh: "arccosh", arctanh: "arctanh", isnan: "isnan", isinf: "isinf", isfinite: "isfinite",
  logicalNot: "logical_not", bitwiseInvert: "invert",
  add: "add", subtract: "subtract", multiply: "multiply", divide: "true_divide", maximum: "maximum", minimum: "minimum",
  floorDivide: "floor_divide", remainder: "remainder", power: "power", logaddexp: "logaddexp", arctan2: "arctan2",
  bitwiseAnd: "bitwise_and", bitwiseOr: "bitwise_or", bitwiseXor: "bitwise_xor", leftShift: "left_shift", rightShift: "right_shift",
  equal: "equal", notEqual: "not_equal", less: "less", lessEqual: "less_equal", greater: "greater", greaterEqual: "greater_equal",
  logicalAnd: "logical_and", logicalOr: "logical_or",
};

/** The NumPy expression of each op it has (x: the inputs, p: the params, dt: the reference's output dtype). */
export const NUMPY_EXPR: Record<string, string> = {
  sort: "np.sort(x[0], axis=p['axis'], kind='stable')",
  argsort: "np.argsort(x[0], axis=p['axis'], kind='stable')",
  // a partition's sides compared as sorted sets are the stable sort, which mlx-ts writes (±0 ties keep input order)
  partition: "np.sort(x[0], axis=p['axis'], kind='stable')",
  argpartition: "np.argsort(x[0], axis=p['axis'], kind='stable')",
  topk: "x[0] if p['k'] == x[0].shape[p['axis']] else np.take(np.sort(x[0], axis=p['axis'], kind='stable'), range(x[0].shape[p['axis']] - p['k'], x[0].shape[p['axis']]), axis=p['axis'])",
  searchsorted: "np.searchsorted(x[0], x[1], side=p['side'])",
  ...Object.fromEntries(Object.entries(UFUNC).map(([op, f]) => [op, `np.${f}(*x)`])),
  stopGradient: "x[0]",
  // with decimals: integers to a multiple of 10^-d exactly (Python's divmod, halves to even), wrapped to the dtype
  // (NumPy's float64 detour and cast back are inexact past 2^53 and undefined out of range); floats as MLX scales them,
  // round(x * s) * (1 / s) in float32 (float64 for float64), float16 scaled in float32, values from 2^(p - 1) kept for d > 0
  round:
    "np.round(x[0]) if p['decimals'] == 0 else (x[0] if p['decimals'] > 0 else (lambda f, b, o: (np.array([(lambda q, r: ((q + int(2 * r > f or (2 * r == f and q % 2 == 1))) * f + o) % 2 ** b - o)(*divmod(int(v), f)) for v in x[0].ravel()], dtype=object).reshape(x[0].shape)))(10 ** -p['decimals'], 8 * x[0].dtype.itemsize, 2 ** (8 * x[0].dtype.itemsize - 1) if x[0].dtype.kind == 'i' else 0)) if x[0].dtype.kind in 'iub' else " +
    "(lambda d, w: (lambda r: np.where(np.abs(x[0]) < {'float16': 2 ** 10, 'float32': 2 ** 23, 'float64': 2 ** 52}[str(x[0].dtype)], r, x[0]) if d > 0 else r)((np.round(w * w.dtype.type(10.0 ** d)) * w.dtype.type(1.0 / np.float64(w.dtype.type(10.0 ** d)))).astype(x[0].dtype)))(p['decimals'], x[0].astype(np.float32) if x[0].dtype == np.float16 else x[0])",
  where: "np.where(x[0], x[1], x[2])",
  astype: "x[0].astype(p['to'])",
  view: "x[0].view(p['to'])",
  // float sums accumulate in float64 and round once (the reference's rule), integer ones wrap in the output dtype
  sum: `np.sum(x[0], axis=${ax}, keepdims=p['keepdims'], dtype=('float64' if dt.startswith('float') else dt))`,
  prod: `np.prod(x[0], axis=${ax}, keepdims=p['keepdims'], dtype=('float64' if dt.startswith('float') else dt))`,
  // as mx.mean (and MLX) composes it: the sum rounded to the accumulation dtype (float32 below float64, so it may
  // overflow where the mean would not), then divided by the count
  mean: `(lambda s: s.astype('float64' if x[0].dtype == np.float64 else 'float32').astype('float64') / (x[0].size // max(s.size, 1)))(np.sum(x[0], axis=${ax}, keepdims=p['keepdims'], dtype='float64'))`,
  max: `np.max(x[0], axis=${ax}, keepdims=p['keepdims'])`,
  min: `np.min(x[0], axis=${ax}, keepdims=p['keepdims'])`,
  all: `np.all(x[0], axis=${ax}, keepdims=p['keepdims'])`,
  any: `np.any(x[0], axis=${ax}, keepdims=p['keepdims'])`,
  argmax: "np.argmax(x[0], axis=p['axes'][0], keepdims=p['keepdims'])",
  argmin: "np.argmin(x[0], axis=p['axes'][0], keepdims=p['keepdims'])",
  transpose: "np.transpose(x[0], p['perm'])",
  slice: "x[0][tuple(slice(a, a + n) for a, n in zip(p['start'], p['size']))] if p.get('dynamic') else x[0][tuple(slice(a, b, c) for a, b, c in zip(p['start'], p['stop'], p['step']))]",
  concatenate: "np.concatenate(x, axis=p['axis'])",
  pad: "np.pad(x[0], p['widths'], mode=p.get('mode', 'constant'))",
  matmul: "np.matmul(x[0].astype('float64'), x[1].astype('float64'))",
  var: `np.var(x[0].astype('float64'), axis=${ax}, keepdims=p['keepdims'], ddof=p['ddof'])`,
  // MLX's std is sqrt(var) in the input's dtype: the variance is rounded to it first (and may overflow)
  std: `np.sqrt(np.var(x[0].astype('float64'), axis=${ax}, keepdims=p['keepdims'], ddof=p['ddof']).astype(dt))`,
  reshape: "np.reshape(x[0], p['shape'])",
  flatten: "x[0].reshape(1) if x[0].ndim == 0 else (lambda s, e: x[0].reshape(x[0].shape[:s] + (int(np.prod(x[0].shape[s:e + 1])),) + x[0].shape[e + 1:]))(p['start'] % x[0].ndim, p['end'] % x[0].ndim)",
  squeeze: "np.squeeze(x[0])",
  expandDims: "np.expand_dims(x[0], p['axis'])",
  swapaxes: "np.swapaxes(x[0], p['a'], p['b'])",
  moveaxis: "np.moveaxis(x[0], p['a'], p['b'])",
  split: "np.split(x[0], p['at'], axis=p['axis'])[p['piece']]",
  broadcastTo: "np.broadcast_to(x[0], p['shape'])",
  stack: "np.stack(x, axis=p['axis'])",
  clip: "np.clip(x[0], p['lo'], p['hi'])",
  zeros: "np.zeros(p['shape'], dtype=p['dtype'])",
  ones: "np.ones(p['shape'], dtype=p['dtype'])",
  full: "np.full(p['shape'], p['value'], dtype=p['dtype'])",
  eye: "np.eye(p['n'], p['m'], p['k'], dtype=p['dtype'])",
  arange: "np.arange(p['start'], p['stop'], p['step'], dtype='float64')",
  // integer dtypes: MLX's float32 blend (1 - t) start + t stop, t = i / (num - 1) (i / num without the endpoint), truncated (NumPy's own linspace blends in float64)
  linspace: "np.linspace(p['start'], p['stop'], p['num'], endpoint=p.get('endpoint', True), dtype='float64') if dt.startswith('float') else (lambda t: ((np.float32(1) - t) * np.float32(p['start']) + t * np.float32(p['stop'])).astype(dt))(np.arange(p['num'], dtype=np.float32) / np.float32(max(p['num'] - (1 if p.get('endpoint', True) else 0), 1)))",
  bartlett: "np.bartlett(p['M'])",
  hanning: "np.hanning(p['M'])",
  hamming: "np.hamming(p['M'])",
  blackman: "np.blackman(p['M'])",
  ...INDEXING_NUMPY,
  ...SCAN_NUMPY,
  ...LINALG_NUMPY,
  ...FAST_NUMPY,
  ...ATTENTION_NUMPY,
  ...QUANTIZED_NUMPY,
  ...MATMUL_NUMPY,
  ...CONV_NUMPY,
  ...FFT_NUMPY,
  ...SHAPES_NUMPY_EXPR,
  ...API_NUMPY,
};

const CORRECTLY_ROUNDED = new Set(["abs", "negative", "sign", "square", "floor", "ceil", "round", "sqrt", "reciprocal", "add", "subtract", "multiply", "divide", "maximum", "minimum", "floorDivide", "remainder", "stopGradient", "where", "astype", "array", "asarray", "max", "min", "transpose", "slice", "concatenate", "pad"]);
// the window functions: within their entries' absolute bound (a few float32 roundings of the reference's composition)
const CONDITIONED = new Set(["sum", "mean", "prod", "matmul", "arange", "linspace", "var", "std", "bartlett", "hanning", "hamming", "blackman"]);
for (const op of ["fast.rmsNorm", "fast.layerNorm", "fast.rope"]) CONDITIONED.add(op);
CONDITIONED.add("quantizedMatmul");
CONDITIONED.add("fast.scaledDotProductAttention");

/** Why NumPy cannot be used here, or undefined when it can. */
export function numpyUnavailable(): string | undefined {
  const r = spawnSync(PYTHON, ["-c", "import numpy"], { encoding: "utf8" });
  if (r.error) return `${PYTHON} could not be started (${r.error.message}); install Debian's python3-numpy (bash scripts/setup.sh as root)`;
  if (r.status !== 0) return `${PYTHON} has no numpy (install Debian's python3-numpy: bash scripts/setup.sh as root)`;
  return undefined;
}

function scriptPath(): string {
  for (const rel of ["./numpy_eval.py", "../../conformance/numpy_eval.py"]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error("conformance/numpy_eval.py not found");
}

interface NumpyReply {
  dtype?: string;
  shape?: number[];
  values?: unknown[];
  error?: string;
}

/** One NumPy subprocess answering requests in order. */
export class NumpyProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((r: NumpyReply) => void)[] = [];
  private buffered = "";

  constructor() {
    this.child = spawn(PYTHON, [scriptPath()], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.buffered += chunk;
      let nl: number;
      while ((nl = this.buffered.indexOf("\n")) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.shift()?.(JSON.parse(line) as NumpyReply);
      }
    });
    this.child.on("exit", (code) => {
      for (const w of this.waiting.splice(0)) w({ error: `the NumPy process exited (${code})` });
    });
  }

  evaluate(expr: string, inputs: { dtype: string; shape: number[]; values: unknown[] }[], params: Params, dtype: string): Promise<NumpyReply> {
    const encode = (v: unknown) => (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? (Object.is(v, -0) ? "-0.0" : String(v).replace("Infinity", "inf")) : typeof v === "bigint" ? v.toString() : v);
    const req = JSON.stringify({ expr, inputs: inputs.map((x) => ({ ...x, values: x.values.map(encode) })), params, dtype });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${req}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

const decode = (v: unknown): unknown => (typeof v === "string" ? (/^-?\d+$/.test(v) ? BigInt(v) : Number(v.replace("inf", "Infinity"))) : v);
const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

const INT_LIMITS: Record<string, [number, number]> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63 - 1],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 2 ** 32 - 1], uint64: [0, 2 ** 64 - 1],
};

/** The entries that cast their input to params.to as astype does. */
const CASTS = new Set(["astype", "array", "asarray"]);

/** Elements where NumPy's result is undefined (C behaviour), given the inputs at that element. */
function undefinedInNumpy(op: string, ins: unknown[], p: Params): boolean {
  const [a, b] = ins as number[];
  // C leaves float-to-int casts of NaN, infinities and values outside the target's range undefined (NumPy wraps,
  // mlx-ts saturates); NumPy also sends negative floats to unsigned types through a wider int (-0.99 -> 65535)
  if (CASTS.has(op) && typeof a === "number" && /int/.test(String(p.to))) {
    const [lo, hi] = INT_LIMITS[String(p.to)]!;
    return !Number.isFinite(a) || Math.trunc(a) < lo || Math.trunc(a) > hi || (String(p.to).startsWith("uint") && a < 0);
  }
  if ((op === "floorDivide" || op === "remainder" || op === "divmod") && (b === 0 || (b as unknown) === 0n)) return true;
  if (op === "leftShift" || op === "rightShift") return Number(b) >= 8;
  return false;
}

/** Judges the reference's case against NumPy's result; returns a failure message or undefined, and the counts. */
async function judgeAgainstNumpy(np: NumpyProcess, entry: OpEntry, c: Case): Promise<RunOutcome> {
  const cpu = { stream: mx.cpu };
  const xs = c.inputs.map((ic) => materialize(ic, mx.cpu));
  const repro = `${c.inputs.map((ic, k) => `const x${k} = ${inputSource(ic, "mx.cpu")};`).join("\n")}\nconst ref = ${entry.source(xs.map((_, k) => `x${k}`), c.params, "{ stream: mx.cpu }")};\n// NumPy: ${NUMPY_EXPR[entry.name]}`;
  let ref: mx.MxArray;
  try {
    ref = entry.call(xs, c.params, cpu);
    await mx.eval(ref);
  } catch (e) {
    return { skipped: `the reference refused the case: ${(e as Error).message}`, ulps: [], outsideDiffer: 0, repro };
  }
  if ([ref.dtype, ...c.inputs.map((i) => ({ name: i.dtype }))].some((d) => d.name === "bfloat16")) {
    return { skipped: "NumPy has no bfloat16", ulps: [], outsideDiffer: 0, repro };
  }
  if (ref.dtype.name === "complex64") return { skipped: "complex64 is not sent to NumPy by this check", ulps: [], outsideDiffer: 0, repro };
  const reply = await np.evaluate(NUMPY_EXPR[entry.name]!, c.inputs.map((i) => ({ dtype: i.dtype, shape: i.shape, values: i.values })), c.params, ref.dtype.name);
  if (reply.error) return { failure: `NumPy raised where the reference did not: ${reply.error}`, ulps: [], outsideDiffer: 0, repro };
  if (reply.shape!.join() !== ref.shape.join()) return { failure: `NumPy's shape [${reply.shape}] differs from the reference's [${ref.shape}]`, ulps: [], outsideDiffer: 0, repro };
  const rv = flat(await ref.tolist());
  const nv = reply.values!.map(decode);
  // the inputs at each output element (elementwise ops), to find NumPy's undefined cases
  const aligned = entry.spread === "elementwise" ? await Promise.all(xs.map(async (x) => flat(await mx.broadcastTo(x, ref.shape, cpu).tolist()))) : [];
  const dtype = ref.dtype;
  // NumPy accumulates in float64 here, as the reference does; the reference composes var (and std) in the
  // input's dtype (float32 for the narrower floats), so those carry that dtype's rounding
  const u = (entry.name === "var" || entry.name === "std") && dtype.name !== "float64" ? 2 ** -24 : 2 ** -53;
  // linear algebra is judged by its condition bound too (eigen- and singular vectors near zero cannot meet an ulp rule)
  const bound = (CONDITIONED.has(entry.name) || entry.group === "linalg") && entry.conditionBound ? await entry.conditionBound(xs, c.params, rv as number[], u) : undefined;
  const out = { ulps: [] as number[], outsideDiffer: 0, repro };
  for (let i = 0; i < rv.length; i++) {
    const r = rv[i], n = nv[i];
    if (aligned.length && undefinedInNumpy(entry.name, aligned.map((a) => a[i]), c.params)) {
      if (!sameValue(r, n)) out.outsideDiffer++;
      continue;
    }
    if (dtype.kind !== "float") {
      if (!sameValue(r, typeof r === "bigint" ? BigInt(n as number) : n)) return { ...out, failure: `element ${i}: reference ${String(r)}, NumPy ${String(n)} (exact)` };
      continue;
    }
    const rn = r as number, nn = n as number;
    if (Number.isNaN(rn) || Number.isNaN(nn) || !Number.isFinite(rn) || !Number.isFinite(nn)) {
      if (!sameValue(rn, nn)) return { ...out, failure: `element ${i}: reference ${rn}, NumPy ${nn}` };
      continue;
    }
    const d = ulpDistance(rn, nn, dtype);
    out.ulps.push(d);
    const allowed = bound
      ? Math.abs(rn - nn) <= bound[i]! + 2 * ulpOf(rn, dtype)
      : d <= (CORRECTLY_ROUNDED.has(entry.name) ? (dtype.name === "float16" ? 1 : 0) : dtype.name === "float16" ? 2 : 5);
    if (!allowed) return { ...out, failure: `element ${i}: reference ${rn}, NumPy ${nn} (${d.toPrecision(3)} ulp of ${dtype.name})` };
  }
  return out;
}

/** The reference's cell for `entry` and `dtype`, checked against NumPy. */
export async function runNumpyCell(np: NumpyProcess, entry: OpEntry, dtype: mx.DType, runs: number, seed: number): Promise<CellResult> {
  const cell = newCell(entry.name, dtype.name, "cpu vs numpy");
  if (!NUMPY_EXPR[entry.name]) return { ...cell, status: "n/a", reason: `NumPy has no ${entry.name}` };
  if (dtype.name === "bfloat16") return { ...cell, status: "n/a", reason: "NumPy has no bfloat16" };
  // NumPy has complex64, but the complex entries' float32 pairs are not viewed as complex on its side
  if (dtype.name === "complex64") return { ...cell, status: "n/a", reason: "complex64 is not sent to NumPy by this check" };
  cell.contract = CONDITIONED.has(entry.name) || entry.group === "linalg" ? "condition-bounded in NumPy's accumulator" : CORRECTLY_ROUNDED.has(entry.name) ? "equal (float16: 1 ulp, NumPy rounds through float32)" : "5 ulp (float16: 2)";
  return checkCell(cell, entry.cases(dtype), (c) => judgeAgainstNumpy(np, entry, c), runs, seed, `${entry.name} ${dtype.name}, the cpu reference against NumPy`);
}
