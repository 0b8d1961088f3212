// WebGPU kernels for the elementwise primitives (unary, binary, where,
// astype) and the contiguous copy, all through wgsl/elementwise.wgsl
// (wgsl/elementwise64.wgsl for int64/uint64 and complex64 outputs): inputs
// broadcast by zero strides, dims merged where every operand is contiguous
// (one merged dim selects the kernel's linear variant, two its rows variant).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { elementwiseLayout } from "../strides.js";
import { complex64, float16, is16BitFloat, is64BitInt, uint16, uint64, type DType } from "../../src/dtype.js";
import { sizeOf } from "../../src/shape.js";
import type { Binary, Unary } from "../../src/primitives/elementwise.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { BINARY_WGSL, UNARY_WGSL, castWgsl, elementsPerWord, helpersFor, inputDecl, packExpr, wgslExprFor, wordShift, type WgslExprs } from "./codegen.js";
import { layoutCopy } from "./layout-copy.js";
import { usesMathLibrary } from "./shaders.js";

const NAMES = ["a", "b", "c"];

/** Output words each workgroup of wgsl/elementwise.wgsl writes (elementwise64.wgsl: 1024 elements). */
const ELEMENTWISE_WORDS_PER_GROUP = 2048;

/**
 * Ops whose element needs a slow path only for rare arguments: `fast` (valid
 * for every argument but those, with the full function's bits there), `rare`
 * (whether the argument is one) and the full function run again for the
 * words that hold one (sin and cos of |x| >= 200 on Payne-Hanek's reduction,
 * of inf and NaN, and sin of subnormals; logs, square roots and log1p of
 * zeros, subnormals, negatives and non-finite values; sigmoid below -18;
 * expm1 of tiny, large and non-finite values; erf and arctan of tiny and
 * non-finite ones, tan of those and of |x| >= 200; logaddexp but where
 * max(a, b) >= 0 and nothing cancels, mx_logaddexp_nonneg).
 * A fast path has no branch, so the kernel issues all its words' loads
 * before their arithmetic (a branch in the element's function kept the
 * driver from hoisting them). H200, 64M float32, device time, share of the
 * copy kernel, two alternating runs: sqrt 67% -> 96%, rsqrt 59% -> 92%,
 * log and log2 68-69% -> 96%, log1p 57% -> 80%, sigmoid 69% -> 94%, expm1
 * 40% -> 42%, erf 47% -> 65%, tan 27% -> 40%, arctan 56% -> 71%,
 * logaddexp(x, 0) (softplus) 39% -> 50%; float16 sqrt 35% -> 47%, log 37%
 * -> 46%; bfloat16 sqrt 38% -> 54%, log 40% -> 52%.
 */
/** A rare split; `exactFloat16`: its float16 results are the correctly rounded ones, packed exactly (not by the device's pack2x16float). */
interface Split {
  fast: string;
  rare: string;
  exactFloat16?: true;
}

const RARE_SPLITS: Record<string, Split> = {
  "mx_sin(a)": { fast: "mx_sin_fast(a)", rare: "mx_sin_fast_invalid(a)" },
  "mx_cos(a)": { fast: "mx_cos_fast(a)", rare: "mx_cos_fast_invalid(a)" },
  "mx_log(a)": { fast: "mx_log_fast(a)", rare: "mx_not_positive_normal(a)" },
  "mx_log2(a)": { fast: "mx_log2_fast(a)", rare: "mx_not_positive_normal(a)" },
  "mx_log10(a)": { fast: "mx_log10_fast(a)", rare: "mx_not_positive_normal(a)" },
  "mx_log1p(a)": { fast: "mx_log1p_fast(a)", rare: "mx_log1p_invalid(a)" },
  "mx_sqrt(a)": { fast: "mx_sqrt_fast(a)", rare: "mx_sqrt_invalid(a)", exactFloat16: true },
  "mx_rsqrt(a)": { fast: "mx_rsqrt_fast(a)", rare: "mx_sqrt_invalid(a)" },
  "mx_sigmoid(a)": { fast: "mx_sigmoid_fast(a)", rare: "mx_sigmoid_invalid(a)" },
  "mx_expm1(a)": { fast: "mx_expm1_fast(a)", rare: "mx_expm1_invalid(a)" },
  "mx_sinh(a)": { fast: "mx_sinh_fast(a)", rare: "mx_sinh_invalid(a)" },
  "mx_cosh(a)": { fast: "mx_cosh_fast(a)", rare: "mx_cosh_invalid(a)" },
  "mx_arcsinh(a)": { fast: "mx_arcsinh_fast(a)", rare: "mx_arcsinh_invalid(a)" },
  "mx_arccosh(a)": { fast: "mx_arccosh_fast(a)", rare: "mx_arccosh_invalid(a)" },
  "mx_arctanh(a)": { fast: "mx_arctanh_fast(a)", rare: "mx_arctanh_invalid(a)" },
  "mx_erf(a)": { fast: "mx_erf_fast(a)", rare: "mx_erf_invalid(a)" },
  "mx_tan(a)": { fast: "mx_tan_fast(a)", rare: "mx_tan_invalid(a)" },
  "mx_atan(a)": { fast: "mx_atan_fast(a)", rare: "mx_trig_rare(a)" },
  "mx_logaddexp(a, b)": { fast: "mx_logaddexp_fast(a, b)", rare: "mx_logaddexp_rare(a, b)" },
  // division (wgsl/quotient.wgsl): the fast path marks what it leaves undecided in its value v
  "div_f(a, b)": { fast: "div_f_fast(a, b)", rare: "(bitcast<u32>(v) == DIV_UNDECIDED)", exactFloat16: true },
  "div_f(1.0, a)": { fast: "div_f_fast(1.0, a)", rare: "(bitcast<u32>(v) == DIV_UNDECIDED)", exactFloat16: true },
};

/**
 * Rare splits for float16 and bfloat16 outputs, whose 11 or 8 significant
 * bits hide a larger float32 error: exp, sigmoid and tanh by the device's
 * exp2 where |x| <= 86 (wgsl/math-exp.wgsl mx_exp_narrow). H200, 64M
 * elements, device time, share of the copy kernel: exp float16 44% -> 68%,
 * bfloat16 50% -> 82%; sigmoid float16 13% -> 66%, bfloat16 14% -> 79%;
 * tanh float16 44% -> 60%, bfloat16 26% -> 69%. float16 words are then
 * packed by the device (pack_narrow_pair_float16): exp 68% -> 85%, sigmoid
 * 66% -> 82%, tanh 53% -> 59%. erf's e^-x^2 by exp2 (mx_erf_narrow), beside
 * its branch-free float32 path: float16 22% -> 37%, bfloat16 24% -> 41%.
 * sqrt by x times the device's inverseSqrt where that cannot straddle a
 * 16-bit midpoint, correctly rounded as the float32 path.
 */
const NARROW_SPLITS: Record<string, { float16: Split; bfloat16: Split }> = {
  "mx_exp(a)": eitherFormat({ fast: "mx_exp_narrow(a)", rare: "mx_narrow_invalid(a)" }),
  "mx_sigmoid(a)": eitherFormat({ fast: "mx_sigmoid_narrow(a)", rare: "mx_narrow_invalid(a)" }),
  "mx_tanh(a)": eitherFormat({ fast: "mx_tanh_narrow(a)", rare: "mx_narrow_invalid(a)" }),
  "mx_erf(a)": eitherFormat({ fast: "mx_erf_narrow(a)", rare: "mx_erf_invalid(a)" }),
  // the rare test takes the format's midpoint (its low bits below the 16-bit value, and their half)
  "mx_sqrt(a)": {
    float16: { fast: "mx_sqrt_narrow(a)", rare: "mx_sqrt_narrow_invalid(a, 0x1fffu, 0x1000u)", exactFloat16: true },
    bfloat16: { fast: "mx_sqrt_narrow(a)", rare: "mx_sqrt_narrow_invalid(a, 0xffffu, 0x8000u)" },
  },
};

/** The same split for both formats. */
function eitherFormat(split: Split): { float16: Split; bfloat16: Split } {
  return { float16: split, bfloat16: split };
}

/** `expr`'s narrow split where its result is `out` (float16 or bfloat16), if it has one (compile's fused nodes take it too). */
export function narrowSplitFor(expr: string, out: DType): Split | undefined {
  if (!is16BitFloat(out) || !Object.hasOwn(NARROW_SPLITS, expr)) return undefined;
  return NARROW_SPLITS[expr]![out.name as "float16" | "bfloat16"];
}

/** The helper files the elementwise templates need for `dtypes` (their indexing, elementwise-index.wgsl, and `extra`). */
export function elementwiseHelpers(dtypes: readonly DType[], extra: readonly string[] = ["math"]): string[] {
  return helpersFor(dtypes, [...extra, "elementwise-index"]);
}

/**
 * How an elementwise kernel finds input elements (wgsl/elementwise-index.wgsl):
 * one merged dim (each input's offset and stride read once), two (an
 * element's row and column computed once for all inputs: a bias or a
 * per-row statistic broadcast over a matrix), or any number (each input's
 * offset divided out dim by dim).
 */
export type IndexMode = "linear" | "rows" | "strided";

/** The index mode of elementwiseLayout's params. */
export function indexModeOf(params: readonly number[]): IndexMode {
  return params[1] === 1 ? "linear" : params[1] === 2 ? "rows" : "strided";
}

/** Each mode's per-invocation setup of input k (its type and the call reading it from params), where it has one. */
const SETUP_OF: Record<IndexMode, { type: string; call: string } | undefined> = {
  linear: { type: "vec2<i32>", call: "linear_of" },
  rows: { type: "vec4<i32>", call: "rows_of" },
  strided: undefined,
};

/** Input k's element offset at output element e (for "rows": p<k>, stepped element by element). */
function offsetExpr(mode: IndexMode, k: number): string {
  if (mode === "linear") return `u32(l${k}.x + i32(e) * l${k}.y)`;
  if (mode === "rows") return `u32(p${k})`;
  return `offset_of(${k}u, e)`;
}

/** Word indexing for the modes that need none (word_index's result unused). */
const NO_WORD_INDEX = `alias WordIndex = u32;
alias WordSpan = u32;
fn word_index(word: u32) -> WordIndex { return 0u; }
fn word_span() -> WordSpan { return 0u; }
fn next_word_index(i: WordIndex, span: WordSpan) -> WordIndex { return 0u; }`;

/**
 * elementwise.wgsl's WORD_INDEXING: where a word starts, found once an
 * invocation and carried 256 words on at a time. The rows variant's is its
 * first element's (row, column), the span (rows, columns, and the row length)
 * divided out once.
 */
const WORD_INDEXING: Record<IndexMode, string> = {
  rows: `alias WordIndex = vec2<u32>;
alias WordSpan = vec3<u32>;
fn word_index(word: u32) -> WordIndex { return row_col(word * EPW, params[3]); }
fn word_span() -> WordSpan { return vec3<u32>(row_col(256u * EPW, params[3]), params[3]); }
fn next_word_index(i: WordIndex, span: WordSpan) -> WordIndex { return advance_row_col(i, span.xy, span.z); }`,
  linear: NO_WORD_INDEX,
  strided: NO_WORD_INDEX,
};

/**
 * How an input is read within an output word of several elements (16- and
 * 8-bit outputs): "element" by element; "word": its word holds the output
 * word's elements at the same places (one load a word, each element taken out
 * of it); "once": every element of the word reads one input element (one load
 * a word: a scalar, or a row's statistic in the rows variant).
 */
export type WordRead = "element" | "word" | "once";

/**
 * The word reads of a map: `aligned` where no output word's elements cross a
 * row (the rows variant with rows a whole number of words; the linear one
 * always), and each input's read.
 */
export interface WordReads {
  aligned: boolean;
  reads: readonly WordRead[];
}

/** Every input read element by element, words crossing rows (the strided variant, rows of an odd length). */
function elementReads(count: number): WordReads {
  return { aligned: false, reads: Array.from({ length: count }, () => "element") };
}

/** The word reads of a map into `out` of inputs of `dtypes` laid out by elementwiseLayout's `params`. */
export function wordReadsOf(params: readonly number[], dtypes: readonly DType[], out: DType): WordReads {
  return wordReadsFor(params, dtypes, elementsPerWord(out));
}

/** The word reads of inputs of `dtypes` laid out by elementwiseLayout's `params` where a word (or unit) holds `epw` output elements. */
export function wordReadsFor(params: readonly number[], dtypes: readonly DType[], epw: number): WordReads {
  const mode = indexModeOf(params);
  if (mode === "strided" || (mode === "rows" && params[3]! % epw !== 0)) return elementReads(dtypes.length);
  // a word of one element crosses no row and holds nothing another element reads
  if (epw === 1) return { aligned: true, reads: elementReads(dtypes.length).reads };
  const reads = dtypes.map((d, k): WordRead => {
    // linear: [offset, stride]; rows: [offset, row stride, column stride]
    const [offset, rowStride, stride] = mode === "linear" ? [params[3 + 2 * k]!, 0, params[4 + 2 * k]!] : [params[4 + 3 * k]!, params[5 + 3 * k]!, params[6 + 3 * k]!];
    if (stride === 0) return "once";
    return stride === 1 && elementsPerWord(d) === epw && offset % epw === 0 && rowStride % epw === 0 ? "word" : "element";
  });
  return { aligned: true, reads };
}

/** The statements at a word's start (its first element at wi in the rows variant): offsets p<k>, and the word reads' loads. */
function wordStart(dtypes: readonly DType[], mode: IndexMode, words: WordReads): string {
  const rows = mode === "rows";
  const lines = dtypes.map((d, k) => {
    const read = words.reads[k]!;
    if (!rows && read === "element") return "";
    const p = `${rows && read === "element" ? "var" : "let"} p${k} = ${rows ? `rows_offset(l${k}, wi)` : `l${k}.x + i32(word * EPW) * l${k}.y`};`;
    return `${p} ${wordReadLoad(k, d, read, "a")}`;
  });
  return (rows && !words.aligned ? "var col = wi.y; " : "") + lines.filter((x) => x).join(" ");
}

/**
 * The load of input k (of dtype `d`) at offset p<k> that a word (or a fused
 * unit) reads once: its word w<k> where `read` is "word", its one element
 * `<once><k>` where "once", nothing for element reads.
 */
export function wordReadLoad(k: number, d: DType, read: WordRead, once: string): string {
  if (read === "word") return `let w${k} = in${k}[u32(p${k}) >> ${wordShift(d)}u];`;
  return read === "once" ? `let ${once}${k} = load_${k}(u32(p${k}));` : "";
}

/**
 * The rows variant's step of inputs `ks`' offsets p<k> (of rows_layout l<k>)
 * to the next element of a word or unit: along the row where `aligned` (no
 * word crosses a row), else past a row's end where column `col` wraps.
 */
export function rowStep(ks: readonly number[], aligned: boolean): string {
  if (aligned) return ks.map((k) => `p${k} += l${k}.z;`).join(" ");
  return `let wraps = col + 1u == cols; col = select(col + 1u, 0u, wraps); ${ks.map((k) => `p${k} += select(l${k}.z, l${k}.w, wraps);`).join(" ")}`;
}

/** Input k's value at element j of a word (element e): loaded, taken out of its word, or its word's one value. */
function loadExpr(d: DType, k: number, mode: IndexMode, read: WordRead): string {
  if (read === "word") return `unpack_${d.name}(w${k}, j)`;
  return read === "once" ? `a${k}` : `load_${k}(${offsetExpr(mode, k)})`;
}

/** The slots of wgsl/elementwise.wgsl for inputs of `dtypes`, indexed in `mode`, read as `words` says (wordReadsOf). */
export function elementwiseSlots(dtypes: readonly DType[], out: DType, expr: string, isBool: boolean, mode: IndexMode, words = elementReads(dtypes.length)): Record<string, string | number> {
  const setup = SETUP_OF[mode];
  const rows = mode === "rows";
  const ks = dtypes.map((_, k) => k);
  const common = {
    INPUTS: dtypes.map((d, k) => inputDecl(k, k + 2, d)).join("\n"),
    SETUP: (rows ? "let cols = params[3]; " : "") + (setup ? ks.map((k) => `let l${k} = ${setup.call}(${k}u);`).join(" ") : ""),
    SETUP_ARGS: (rows ? ", cols: u32" : "") + (setup ? ks.map((k) => `, l${k}: ${setup.type}`).join("") : ""),
    SETUP_PASS: (rows ? ", cols" : "") + (setup ? ks.map((k) => `, l${k}`).join("") : ""),
    WORD_INDEXING: WORD_INDEXING[mode],
    LOADS: dtypes.map((d, k) => `let ${NAMES[k]} = ${loadExpr(d, k, mode, words.reads[k]!)};`).join(" "),
    // rows: elementwise.wgsl steps each element-read input's offset on from a word's first element's (at wi)
    // element by element (a row's last column to the next row's first by the input's l.w); elementwise64.wgsl (an
    // element a word) finds each
    WORD_INDEX: wordStart(dtypes, mode, words),
    NEXT_INDEX: rows ? rowStep(ks.filter((k) => words.reads[k] === "element"), words.aligned) : "",
    ELEMENT_INDEX: rows ? `let rc = row_col(e, cols); ${ks.map((k) => `let p${k} = rows_offset(l${k}, rc);`).join(" ")}` : "",
    EXPR: expr,
  };
  // elementwise64.wgsl writes the value's two words itself (a complex value's as their bits)
  if (out === complex64) return { ...common, EXPR: `bitcast<vec2<u32>>(${expr})` };
  if (is64BitInt(out)) return common;
  const epw = elementsPerWord(out);
  const narrow = narrowSplitFor(expr, out);
  const split = narrow ?? RARE_SPLITS[expr];
  const pack = packExpr(out, "v", isBool);
  // float16 results of the narrow paths and of the float32 library's split functions, held to one 16-bit ulp: the
  // word packed by the device (pack_narrow_pair_float16); other float16 results packed a pair at a time, exactly,
  // where both round to normals or zeros (pack_pair_float16; the word recomputed with pack_float16 where not)
  const byPair = out === float16 && split !== undefined && !split.exactFloat16;
  const pair = byPair ? "pack_narrow_pair_float16" : out === float16 ? "pack_pair_float16" : undefined;
  return {
    ...common,
    EXPR: split?.fast ?? expr,
    RARE: split?.rare ?? "false",
    // a flagged word's elements again: a narrow split's each on its own path (the narrow one where its input allows, as
    // a fused node decides; the full function is not its bits), a float32 split's all by the full function (its bits)
    EXPR_RARE: narrow ? `select(${narrow.fast}, ${expr}, ${narrow.rare})` : expr,
    EPW: epw,
    BITS: 32 / epw,
    PACK: pack,
    KEEP: pair ? "pair[j] = v;" : `bits = bits | (${pack} << (j * ${32 / epw}u));`,
    WORD: pair ? `let packed = ${pair}(pair); bits = packed.x; rare = rare | (packed.y != 0u);` : "",
  };
}

/** Small integer codes of the dtypes, for mapKernel's call cache. */
const dtypeCodes = new Map<DType, number>();
function dtypeCode(d: DType): number {
  let c = dtypeCodes.get(d);
  if (c === undefined) dtypeCodes.set(d, (c = dtypeCodes.size + 1));
  return c;
}

/**
 * mapKernel's kernel calls by op, expression, then a number coding the input
 * count, the bool result, the index mode, whether words cross rows, the
 * output dtype (5 bits) and each input's word read (a base-3 digit) and dtype:
 * made once each, so a dispatch builds no key string or helper list (and the
 * pipeline cache looks up the same key string, its hash already computed).
 */
const mapCalls = new Map<string, Map<string, Map<number, KernelCall>>>();

const MODE_CODES: Record<IndexMode, number> = { linear: 0, rows: 1, strided: 2 };

const READ_CODES: Record<WordRead, number> = { element: 0, word: 1, once: 2 };

/** The key part of a map's word reads. */
export function wordReadsKey(words: WordReads): string {
  return `${words.aligned ? "aligned" : "any"}|${words.reads.join(",")}`;
}

function mapCall(op: string, inputs: readonly Tensor[], out: DType, expr: string, isBool: boolean, mode: IndexMode, words: WordReads, libraries: readonly string[] | undefined): KernelCall {
  let code = inputs.length * 8 + (isBool ? 4 : 0) + MODE_CODES[mode];
  code = (code * 2 + (words.aligned ? 1 : 0)) * 32 + dtypeCode(out);
  inputs.forEach((x, k) => (code = (code * 3 + READ_CODES[words.reads[k]!]) * 32 + dtypeCode(x.dtype)));
  let byExpr = mapCalls.get(op);
  if (!byExpr) mapCalls.set(op, (byExpr = new Map()));
  let byCode = byExpr.get(expr);
  if (!byCode) byExpr.set(expr, (byCode = new Map()));
  let call = byCode.get(code);
  if (!call) {
    const dtypes = inputs.map((x) => x.dtype);
    call = {
      op,
      file: is64BitInt(out) || out === complex64 ? "elementwise64" : "elementwise",
      // the math library only where the expression calls it: integer, comparison and cast kernels compile faster without
      helpers: elementwiseHelpers([out, ...dtypes], libraries ?? [usesMathLibrary(expr) ? "math" : "math-basic"]),
      key: `${op}|${expr}|${isBool}|${out.name}|${mode}|${dtypes.map((d) => d.name).join("|")}|${wordReadsKey(words)}`,
      slots: () => elementwiseSlots(dtypes, out, expr, isBool, mode, words),
    };
    byCode.set(code, call);
  }
  return call;
}

/**
 * Runs `expr` (of inputs a, b, c in their compute types) into a new output of
 * `out`'s dtype; `libraries`: the WGSL helper files it calls, where not the
 * math library (one set per op and expression: the kernel cache's key).
 */
export function mapKernel(gpu: WebGpuBackend, op: string, inputs: readonly Tensor[], out: OutputSpec, expr: string, isBool: boolean, libraries?: readonly string[]): Tensor {
  const t = gpu.allocOutput(out);
  const n = sizeOf(out.shape);
  if (n === 0) return t;
  const wide = is64BitInt(out.dtype) || out.dtype === complex64;
  const epw = wide ? 1 : elementsPerWord(out.dtype);
  const params = elementwiseLayout(inputs, out.shape);
  const buffers: GPUBuffer[] = [];
  for (const x of inputs) buffers.push(gpu.gpuBuffer(x));
  gpu.run(
    mapCall(op, inputs, out.dtype, expr, isBool, indexModeOf(params), wordReadsOf(params, inputs.map((x) => x.dtype), out.dtype), libraries),
    gpu.gpuBuffer(t),
    params,
    buffers,
    Math.ceil(Math.ceil(n / epw) / (wide ? 1024 : ELEMENTWISE_WORDS_PER_GROUP)),
  );
  return t;
}

function exprOrThrow(op: string, table: WgslExprs, d: DType, prim: Unary | Binary): string {
  const e = wgslExprFor(table, d, prim.mathMode);
  if (e === undefined) throw new Error(`[${op}] has no WebGPU kernel for dtype ${d.name}`);
  return e;
}

/**
 * negative and abs of float16/bfloat16 as their sign bit flipped or cleared
 * on the uint16 view (the same bits as the float path, NaN payloads kept,
 * without unpacking to float32 and rounding back).
 */
const SIGN_BIT_OPS: Record<string, string> = { negative: "a ^ 0x8000u", abs: "a & 0x7fffu" };

export function unaryKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], out) => {
    const op = (prim as Unary).name;
    const signBits = SIGN_BIT_OPS[op];
    if (signBits && is16BitFloat(x!.dtype)) {
      const bits = mapKernel(gpu, op, [{ ...x!, dtype: uint16 }], { ...out, dtype: uint16 }, signBits, false);
      return { ...bits, dtype: out.dtype };
    }
    const ex = UNARY_WGSL[op];
    return mapKernel(gpu, op, [x!], out, exprOrThrow(op, ex, x!.dtype, prim as Unary), !!ex.boolResult);
  };
}

/**
 * maximum and minimum of float16/bfloat16 on the uint16 views (extreme_bits16:
 * the bits the float path gives, a NaN as its packing's quiet NaN, without
 * unpacking and packing every element; H200, 64M float16 elements,
 * maximum(x, 0) 53% -> 63% of the copy kernel).
 */
const EXTREME_BITS_OPS: Record<string, boolean> = { maximum: true, minimum: false };

export function binaryKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x, y], out) => {
    const op = (prim as Binary).name;
    if (Object.hasOwn(EXTREME_BITS_OPS, op) && is16BitFloat(x!.dtype)) {
      const larger = EXTREME_BITS_OPS[op]!;
      const [inf, qnan] = x!.dtype === float16 ? ["0x7c00u", "0x7e00u"] : ["0x7f80u", "0x7fc0u"];
      const bits = mapKernel(gpu, op, [{ ...x!, dtype: uint16 }, { ...y!, dtype: uint16 }], { ...out, dtype: uint16 }, `extreme_bits16(a, b, ${inf}, ${qnan}, ${larger})`, false);
      return { ...bits, dtype: out.dtype };
    }
    const ex = BINARY_WGSL[op];
    return mapKernel(gpu, op, [x!, y!], out, exprOrThrow(op, ex, x!.dtype, prim as Binary), !!ex.boolResult);
  };
}

/** complex64 as the uint64 view of its bits: moved and selected as words, never as floats (nothing a driver could flush). */
export function complexBits<T extends Tensor | OutputSpec>(t: T): T {
  return t.dtype === complex64 ? { ...t, dtype: uint64 } : t;
}

/** A result computed on complexBits views, as `dtype` again. */
function withDType<T extends Tensor>(t: T, dtype: DType): T {
  return { ...t, dtype };
}

export function whereKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [c, x, y], out) => {
    const expr = is64BitInt(c!.dtype) ? "select(c, b, w64_nz(a))" : "select(c, b, a != 0u)";
    return withDType(mapKernel(gpu, "where", [c!, complexBits(x!), complexBits(y!)], complexBits(out), expr, false), out.dtype);
  };
}

export function astypeKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [x], out) => {
    if (x!.dtype === out.dtype) return contiguousCopy(gpu, x!);
    return astypeTensor(gpu, x!, out.dtype);
  };
}

/**
 * `res` (a 32-bit result of a kernel that cannot write packed words) as `out`'s
 * dtype: returned as is when the dtypes match, else cast and released.
 */
export function castResult(gpu: WebGpuBackend, res: Tensor, out: OutputSpec): Tensor {
  if (res.dtype === out.dtype) return res;
  const { expr, isBool } = castWgsl(res.dtype, out.dtype);
  const cast = mapKernel(gpu, "astype", [res], out, expr, isBool);
  gpu.release(res.buffer);
  return cast;
}

/** `x` cast to `dtype` in a new contiguous tensor (the caller releases it). */
export function astypeTensor(gpu: WebGpuBackend, x: Tensor, dtype: DType): Tensor {
  const { expr, isBool } = castWgsl(x.dtype, dtype);
  return mapKernel(gpu, "astype", [x], { shape: x.shape, dtype }, expr, isBool);
}

/** A contiguous copy of `t` (same dtype, every bit kept). */
export function contiguousCopy(gpu: WebGpuBackend, t: Tensor): Tensor {
  return layoutCopy(gpu, t, (bits) => mapKernel(gpu, "copy", [bits], { shape: t.shape, dtype: bits.dtype }, "a", false));
}
