// The webgpu backend's `fuse` capability (compile's fusion): one WGSL kernel
// (wgsl/fused.wgsl) per group of elementwise nodes. Each node runs the unfused
// kernel's expression (codegen.ts) and is rounded to its dtype as that kernel's
// store and the next kernel's load would round it, so a compiled function gives
// the bits of its uncompiled self. Pipelines are cached by the group's structure.

import { retain, type MultiKernel, type OutputSpec, type Tensor } from "../backend.js";
import { elementwiseLayout } from "../strides.js";
import { float16, type DType } from "../../src/dtype.js";
import type { FusedGroup, FusedNode } from "../../src/compile/group.js";
import type { MathMode } from "../../src/math-mode.js";
import type { BinaryOp, UnaryOp } from "../../src/primitives/elementwise.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { WebGpuBackend } from "./backend.js";
import { webGpuFuseReduce } from "./fuse-reduce.js";
import { indexModeOf, narrowSplitFor, rowStep, wordReadLoad, wordReadsFor, wordReadsKey, type IndexMode, type WordRead, type WordReads } from "./elementwise.js";
import { BINARY_WGSL, UNARY_WGSL, castWgsl, computeType, elementsPerWord, helpersFor, inputDecl, packExpr, wgslExprFor, wordShift, type WgslExprs } from "./codegen.js";

/** The dtypes fused here: one word or less per element (int64/uint64 and complex64 word pairs run node by node). */
export const FUSED_DTYPES = new Set(["bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "float16", "bfloat16", "float32"]);

/**
 * The zero words params start with, one per operand slot (a, b, c) of a node:
 * a float operand that needs it (opaqueOperands) enters its node or-ed with
 * its slot's zero, a value the compiler cannot see through, so it cannot use
 * what it knows across nodes (an operand read twice, x / x as 1 under its
 * finite-math assumptions; a product and a sum contracted into one fma) where
 * the unfused kernels read memory.
 */
export const OPAQUE_ZEROS = 3;

/** The most params words one dispatch may read (the queue's window). */
export const MAX_PARAMS_WORDS = 512;

/**
 * Whether `d`'s elements are narrower than a word: such a node's result is the
 * element's bits its own kernel stores (what an output of the group stores),
 * and its readers get them unpacked, as the next kernel loads them. A 32-bit
 * node's result is its value, stored and loaded as it is.
 */
export function packed(d: DType): boolean {
  return elementsPerWord(d) > 1;
}

/** The result of a node of dtype `d` whose value is `v` (in `d`'s compute type, or a WGSL bool when `isBool`). */
function result(d: DType, v: string, isBool: boolean): string | undefined {
  if (packed(d)) return packExpr(d, v, isBool);
  return isBool ? undefined : v;
}

function tableOf(name: string): WgslExprs | undefined {
  if (Object.hasOwn(UNARY_WGSL, name)) return UNARY_WGSL[name as UnaryOp];
  if (Object.hasOwn(BINARY_WGSL, name)) return BINARY_WGSL[name as BinaryOp];
  return undefined;
}

/** The value expression of an op node (unary or binary) from its operands a, b, or undefined when it has none. */
function opExpr(node: FusedNode, operands: readonly DType[]): { e: string; isBool: boolean } | undefined {
  const a = operands[0];
  const table = tableOf(node.primitive.name);
  if (!table || operands.some((d) => d !== a)) return undefined;
  // each node keeps the math mode it was called with (its params, so the group key tells them apart)
  const e = wgslExprFor(table, a!, (node.primitive as { mathMode?: MathMode }).mathMode);
  if (e === undefined || (!table.boolResult && computeType(node.dtype) !== computeType(a!))) return undefined;
  return { e, isBool: !!table.boolResult };
}

/** The dtype of operand `k` of `group`'s nodes: group input k, or node k - inputs. */
export function operandDtype(group: FusedGroup, k: number): DType {
  const n = group.inputs.length;
  return k < n ? group.inputs[k]! : group.nodes[k - n]!.dtype;
}

/** The dtypes of `node`'s operands in `group`. */
export function operandDtypes(group: FusedGroup, node: FusedNode): DType[] {
  return node.operands.map((k) => operandDtype(group, k));
}

/** The value of node `node` (in its dtype's compute type, or a WGSL bool where `isBool`) from its operands' values a, b, c (of `operands`' dtypes), before its dtype's packing; undefined where it has no fused form. */
function nodeValue(node: FusedNode, operands: readonly DType[]): { v: string; isBool: boolean } | undefined {
  const [a, b, c] = operands;
  const name = node.primitive.name;
  if (tableOf(name)) {
    const op = opExpr(node, operands);
    return op && { v: op.e, isBool: op.isBool };
  }
  if (name === "where") {
    // the where kernel stores the chosen value as loaded
    return computeType(a!) === "u32" && b === node.dtype && c === node.dtype ? { v: "select(c, b, a != 0u)", isBool: false } : undefined;
  }
  if (name === "astype") {
    // to its own dtype: the copy kernel, storing the value as loaded
    if (a === node.dtype) return { v: "a", isBool: false };
    const { expr, isBool } = castWgsl(a!, node.dtype);
    return { v: expr, isBool };
  }
  // a broadcast is a view; its elements are read (by a kernel, or by a copy for the host) as loaded values
  return name === "broadcast" ? { v: "a", isBool: false } : undefined;
}

/** The result (see `packed`) of node `node` from its operands' values a, b, c (of `operands`' dtypes), or undefined when it has no fused form. */
export function nodeResult(node: FusedNode, operands: readonly DType[]): string | undefined {
  const x = nodeValue(node, operands);
  return x && result(node.dtype, x.v, x.isBool);
}

/**
 * Whether a node of dtype `d` returns its value unrounded (`fn node<j>` ->
 * f32, float16): its readers take it rounded (the value a load of its packed
 * bits gives), a fused group's output packs it a pair at a time, so an
 * element is not packed and unpacked with pack_float16's integer operations
 * between nodes. A unit rounds on the bits (round_float16_normal,
 * pack_pair_float16) and flags a value that rounds to a subnormal, overflows
 * or is NaN; the flagged units are computed again with the exact functions
 * (segmentSource). H200, device time at 64M elements: compiled float16
 * x * 2 + bias 179 -> 159 us (its two unfused kernels: 81 + 89 us), a
 * gelu-like chain 322 -> 225 us.
 */
export function roundsLater(d: DType): boolean {
  return d === float16;
}

/**
 * The statements giving node j's value v<j> from `call` (its node function's
 * call), unpacked or rounded where its dtype is packed; a node that rounds
 * later gives y<j>, its value unrounded, and v<j> (`round` of it) only where
 * `read`.
 */
export function nodeValueLine(node: FusedNode, j: number, call: string, read = true, round = (y: string) => `round_float16(${y})`): string {
  if (roundsLater(node.dtype)) return `let y${j} = ${call};${read ? ` let v${j} = ${round(`y${j}`)};` : ""}`;
  return packed(node.dtype) ? `let r${j} = ${call}; let v${j} = unpack_${node.dtype.name}(r${j}, 0u);` : `let v${j} = ${call};`;
}

/**
 * Whether node `node` of a packed dtype passes its operand's element bits on (a
 * broadcast, a copy to its own dtype): its own kernel copies bits, which
 * re-packing the unpacked value would not give where a device's unpacking
 * drops a float16 NaN's sign.
 */
function passesBits(node: FusedNode, operand: DType | undefined): boolean {
  const name = node.primitive.name;
  return packed(node.dtype) && operand === node.dtype && (name === "broadcast" || name === "astype");
}

/** `bits_<k>(e)`: element e's bits of group input k, a packed dtype `d` (what `passesBits` nodes read), by dtypes.wgsl's unsigned unpacking. */
function inputBits(k: number, d: DType): string {
  return `fn bits_${k}(e: u32) -> u32 { return unpack_uint${32 / elementsPerWord(d)}(in${k}[e >> ${wordShift(d)}u], e); }`;
}

/** Units of work an invocation computes, 256 apart (all computed before any is stored where all are whole). */
const UNITS = 8;

/** Outputs of one shape (up to leading ones), computed together over that shape. */
interface Segment {
  /** Indices into the group's outputs. */
  readonly outputs: number[];
  /** The nodes these outputs need, in order. */
  readonly nodes: number[];
  /** The group inputs those nodes read, in order. */
  readonly inputs: number[];
  /** Elements per unit of work: the most a word of these outputs holds. */
  readonly perUnit: number;
}

/** The group's outputs split by shape, each with the nodes and inputs it needs. */
function segmentsOf(group: FusedGroup, outs: readonly OutputSpec[]): Segment[] {
  const n = group.inputs.length;
  const byShape = new Map<string, number[]>();
  outs.forEach((o, i) => {
    const first = o.shape.findIndex((d) => d !== 1);
    const key = (first < 0 ? [] : o.shape.slice(first)).join(",");
    const list = byShape.get(key);
    if (list) list.push(i);
    else byShape.set(key, [i]);
  });
  return [...byShape.values()].map((outputs) => {
    const needed = new Set<number>();
    const visit = (k: number): void => {
      if (needed.has(k)) return;
      needed.add(k);
      if (k >= n) for (const op of group.nodes[k - n]!.operands) visit(op);
    };
    for (const i of outputs) visit(n + group.outputs[i]!);
    const sorted = [...needed].sort((x, y) => x - y);
    return {
      outputs,
      nodes: sorted.filter((k) => k >= n).map((k) => k - n),
      inputs: sorted.filter((k) => k < n),
      perUnit: Math.max(...outputs.map((i) => elementsPerWord(outs[i]!.dtype))),
    };
  });
}

/** A group input as a segment's unit reads it: its index, dtype, params block (`first`, strided mode: `at`) and word read. */
interface UnitInput {
  k: number;
  dtype: DType;
  at: string;
  first: string;
  read: WordRead;
}

/**
 * The statements giving each input k's element offset p<k> at element e of a
 * unit, in the call's index mode (with wgsl/elementwise-index.wgsl's
 * helpers): `before` the unit's loop (where word reads load, as in
 * elementwise.ts's wordReadsFor), per `element`, and the `step` to the next
 * element. In rows mode the unit's first element's (row, column) rc0 comes
 * carried from the invocation's first unit's (segmentSource), and each
 * element-read input's offset is stepped on from there (no row test where
 * `aligned`: no unit crosses a row).
 */
function indexStatements(mode: IndexMode, ins: readonly UnitInput[], aligned: boolean): { before: string; element: string; step: string } {
  const elementRead = ins.filter((x) => x.read === "element");
  const wordLoads = ins.map(({ k, dtype, read }) => wordReadLoad(k, dtype, read, "x")).join(" ");
  if (mode === "linear") {
    return {
      before: `${ins.filter((x) => x.read !== "element").map(({ k }) => `let p${k} = l${k}.x + i32(e0) * l${k}.y;`).join(" ")} ${wordLoads}`,
      element: elementRead.map(({ k }) => `let p${k} = l${k}.x + i32(e) * l${k}.y;`).join(" "),
      step: "",
    };
  }
  if (mode === "rows") {
    const offsets = ins.map(({ k, read }) => `${read === "element" ? "var" : "let"} p${k} = rows_offset(l${k}, rc0);`).join(" ");
    return {
      before: `let cols = params[b + 3u];${aligned ? "" : " var col = rc0.y;"} ${offsets} ${wordLoads}`,
      element: "",
      step: rowStep(elementRead.map(({ k }) => k), aligned),
    };
  }
  const strided = ins.map(({ k, at }) => `p${k} += c * bitcast<i32>(params[${at} + 1u + u32(d)]);`).join(" ");
  return {
    before: "",
    element: `${ins.map(({ k }) => `var p${k} = l${k}.x;`).join(" ")}
      var rem = e;
      for (var d = i32(nd) - 1; d >= 0; d--) {
        let dim = params[b + 2u + u32(d)];
        let c = i32(rem % dim);
        rem = rem / dim;
        ${strided}
      }`,
    step: "",
  };
}

/** Input k's value (`bits`: its element's bits, packed dtypes) at element j of a unit. */
function unitLoad(x: UnitInput, bits: boolean): string {
  if (x.read === "word") return bits ? `unpack_uint${32 / elementsPerWord(x.dtype)}(w${x.k}, j)` : `unpack_${x.dtype.name}(w${x.k}, j)`;
  return bits ? `bits_${x.k}(u32(p${x.k}))` : `load_${x.k}(u32(p${x.k}))`;
}

/** Where output `o` of a segment keeps its words in a unit's array (its first index), and how many it has. */
interface UnitWords {
  first: number;
  count: number;
  epw: number;
}

/** The unit-array layout of `seg`'s outputs: perUnit / (elements a word) words each, in output order. */
function unitWords(group: FusedGroup, seg: Segment): { layout: Map<number, UnitWords>; total: number } {
  const layout = new Map<number, UnitWords>();
  let total = 0;
  for (const i of seg.outputs) {
    const epw = elementsPerWord(group.nodes[group.outputs[i]!]!.dtype);
    layout.set(i, { first: total, count: seg.perUnit / epw, epw });
    total += seg.perUnit / epw;
  }
  return { layout, total };
}

/**
 * The WGSL functions of segment `s` (of `count`): unit<s>(e0, last) (after
 * its index mode's arguments), the output words of the unit of perUnit
 * elements from e0 (elements past `last` left 0), computing each element's
 * loads and nodes; store<s>(e0, n, words), the unit's words of each output
 * that lie below element n; and segment<s>(g, lid), the workgroup's share:
 * UNITS units an invocation, 256 apart, all computed before any is stored
 * where all are whole (the loads of every unit in flight together, as
 * wgsl/elementwise.wgsl's words; UNROLL false: a CPU adapter compiles the
 * loop alone).
 */
function segmentSource(group: FusedGroup, seg: Segment, s: number, count: number, mode: IndexMode, words: WordReads): string {
  const n = group.inputs.length;
  const ins: UnitInput[] = seg.inputs.map((k, i) => ({ k, dtype: group.inputs[k]!, at: `q${k}`, first: `b + 2u + nd + ${i}u * (1u + nd)`, read: words.reads[i]! }));
  const input = new Map(ins.map((x) => [x.k, x]));
  const operand = (k: number): string => (k < n ? `x${k}` : `v${k - n}`);
  const passes = (j: number): boolean => passesBits(group.nodes[j]!, operandDtype(group, group.nodes[j]!.operands[0]!));
  // the nodes whose bits r<j> are used: nodes passing bits on that are outputs (stored as those bits), and the operands
  // of such nodes whose bits are used (a node that rounds later, roundsLater, gives its bits only there)
  const outputNodes = new Set(seg.outputs.map((i) => group.outputs[i]!));
  const bitsUsed = new Set<number>();
  for (const j of [...seg.nodes].reverse()) {
    if (!passes(j) || !(outputNodes.has(j) || bitsUsed.has(j))) continue;
    bitsUsed.add(j);
    const k = group.nodes[j]!.operands[0]!;
    if (k >= n) bitsUsed.add(k - n);
  }
  // a node that rounds later is packed a pair at a time where it is an output (its unrounded values y<j> kept in ys<i>)
  const pairPacked = seg.outputs.filter((i) => roundsLater(group.nodes[group.outputs[i]!]!.dtype) && !passes(group.outputs[i]!));
  // such nodes round on their bits where their values allow (`exact` false), flagging the unit's `rare` where one
  // does not, and the flagged units are computed again exactly (`exact` true: round_float16 and pack_float16)
  const flags = seg.nodes.some((j) => roundsLater(group.nodes[j]!.dtype) && !passes(j));
  const nodeLines = seg.nodes.map((j) => {
    const node = group.nodes[j]!;
    const k = node.operands[0]!;
    const read = seg.nodes.some((m) => group.nodes[m]!.operands.includes(n + j));
    if (passes(j)) return `${bitsUsed.has(j) ? `let r${j} = ${k < n ? unitLoad(input.get(k)!, true) : `r${k - n}`};` : ""}${read ? ` let v${j} = ${operand(k)};` : ""}`;
    const line = nodeValueLine(node, j, `node${j}(${node.operands.map(operand).join(", ")})`, read, (y) => `select(round_float16_normal(${y}), round_float16(${y}), exact)`);
    if (!roundsLater(node.dtype)) return line;
    return `${line}${read ? ` rare = rare | float16_rare(y${j});` : ""}${bitsUsed.has(j) ? ` let r${j} = pack_float16(y${j});` : ""}`;
  });
  const { layout, total } = unitWords(group, seg);
  const keeps = seg.outputs.map((i) => {
    const j = group.outputs[i]!;
    const d = group.nodes[j]!.dtype;
    const { first, epw } = layout.get(i)!;
    if (pairPacked.includes(i)) return `ys${i}[j] = y${j};`;
    if (epw === 1) return `words[${first}u + j] = ${packExpr(d, `v${j}`)};`;
    return `words[${first}u + j / ${epw}u] = words[${first}u + j / ${epw}u] | (r${j} << ((j % ${epw}u) * ${32 / epw}u));`;
  });
  // each pair exactly where both halves round to normals or zeros, else by pack_float16 (dtypes.wgsl pack_pair_float16)
  const pairWords = pairPacked.flatMap((i) => {
    const { first, count: words } = layout.get(i)!;
    return Array.from({ length: words }, (_, m) => {
      const [lo, hi] = [`ys${i}[${2 * m}u]`, `ys${i}[${2 * m + 1}u]`];
      return `{ let pair = pack_pair_float16(vec2<f32>(${lo}, ${hi})); words[${first + m}u] = select(pair.x, pack_float16(${lo}) | (pack_float16(${hi}) << 16u), exact); rare = rare | (pair.y != 0u); }`;
    });
  });
  const stores = seg.outputs.flatMap((i) => {
    const d = group.nodes[group.outputs[i]!]!.dtype;
    const { first, count: words, epw } = layout.get(i)!;
    const shift = epw === 1 ? "" : ` >> ${wordShift(d)}u`;
    return Array.from({ length: words }, (_, m) => `if (e0 + ${m * epw}u < n) { out_words[o${i} + (e0${shift}) + ${m}u] = words[${first + m}u]; }`);
  });
  // each output's word offset, read from params once an invocation
  const outArgs = seg.outputs.map((i) => `, o${i}: u32`).join("");
  const outPass = seg.outputs.map((i) => `, o${i}`).join("");
  const pu = seg.perUnit;
  const units = Array.from({ length: UNITS }, (_, u) => u);
  const rows = mode === "rows";
  // each input's offset and stride (rows mode: row and column strides and the step past a row's end), read from params
  // once an invocation; rows mode's units start at (row, column) rc<u>, carried on from rc0 by the span of 256 units
  const layoutArgs = ins.map(({ k }) => `, l${k}: vec${rows ? 4 : 2}<i32>`).join("");
  const layoutPass = ins.map(({ k }) => `, l${k}`).join("");
  const layouts = ins.map(({ k, first: at }) => `let l${k} = ${rows ? `rows_layout(${at}, params[b + 3u])` : `input_layout(${at}, nd)`};`);
  const firstIndex = rows ? `let cols = params[b + 3u]; let span = row_col(${256 * pu}u, cols); var rc0 = row_col(first * ${pu}u, cols);` : "";
  const nextIndex = (from: string): string => (rows ? `advance_row_col(${from}, span, cols)` : from);
  const index = indexStatements(mode, ins, words.aligned);
  // a flagging unit returns its words and then its flag
  const length = flags ? total + 1 : total;
  const exactArg = flags ? ", exact: bool" : "";
  // the params base b (rows: its column count; strided: its shape) and what the mode's indexing starts from (rows: rc0)
  const modeArgs = rows ? "b: u32, rc0: vec2<u32>, " : mode === "strided" ? "b: u32, nd: u32, " : "";
  const modePass = (rc: string): string => (rows ? `b, ${rc}, ` : mode === "strided" ? "b, nd, " : "");
  const unit = (e0: string, rc: string, last: string, exact: boolean): string => `unit${s}(${modePass(rc)}${e0}, ${last}${flags ? `, ${exact}` : ""}${layoutPass})`;
  return `fn unit${s}(${modeArgs}e0: u32, last: u32${exactArg}${layoutArgs}) -> array<u32, ${length}> {
  ${mode === "strided" ? ins.map(({ at, first }) => `let ${at} = ${first};`).join(" ") : ""}
  var words: array<u32, ${length}>;
  ${flags ? "var rare = false;" : ""}
  ${pairPacked.map((i) => `var ys${i}: array<f32, ${pu}>;`).join(" ")}
  ${index.before}
  for (var j = 0u; j < ${pu}u; j++) {
    let e = e0 + j;
    if (e <= last) {
      ${index.element}
      ${ins.filter((x) => x.read !== "once").map((x) => `let x${x.k} = ${unitLoad(x, false)};`).join(" ")}
      ${nodeLines.join("\n      ")}
      ${keeps.join("\n      ")}
    }
    ${index.step}
  }
  ${pairWords.join("\n  ")}
  ${flags ? `words[${total}u] = select(0u, 1u, rare);` : ""}
  return words;
}

fn store${s}(e0: u32, n: u32, words: array<u32, ${length}>${outArgs}) {
  ${stores.join("\n  ")}
}

fn segment${s}(g: u32, lid: u32) {
  let b = params[${OPAQUE_ZEROS + count + s}u];
  let n = params[b];
  let nd = params[b + 1u];
  let first = g * ${256 * UNITS}u + lid;
  ${layouts.join(" ")}
  ${seg.outputs.map((i) => `let o${i} = params[${OPAQUE_ZEROS + 2 * count + i}u];`).join(" ")}
  ${firstIndex}
  if (UNROLL && (first + ${256 * (UNITS - 1) + 1}u) * ${pu}u <= n) {
    ${rows ? units.slice(1).map((u) => `let rc${u} = ${nextIndex(`rc${u - 1}`)};`).join(" ") : ""}
    ${units.map((u) => `let w${u} = ${unit(`(first + ${256 * u}u) * ${pu}u`, `rc${u}`, "0xffffffffu", false)};`).join("\n    ")}
    ${units.map((u) => `store${s}((first + ${256 * u}u) * ${pu}u, n, w${u}${outPass});`).join("\n    ")}
    ${flags ? `// the flagged units again, exactly (one copy of that code for all units)
    for (var m = ${units.map((u) => `(w${u}[${total}u] << ${u}u)`).join(" | ")}; m != 0u; m = m & (m - 1u)) {
      let e0 = (first + countTrailingZeros(m) * 256u) * ${pu}u;
      store${s}(e0, n, ${unit("e0", rows ? "row_col(e0, cols)" : "rc0", "0xffffffffu", true)}${outPass});
    }` : ""}
    return;
  }
  for (var w = 0u; w < ${UNITS}u; w++) {
    let e0 = (first + w * 256u) * ${pu}u;
    if (e0 >= n) { return; }
    ${flags ? `var words = ${unit("e0", "rc0", "n - 1u", false)};
    if (words[${total}u] != 0u) { words = ${unit("e0", "rc0", "n - 1u", true)}; }
    store${s}(e0, n, words${outPass});` : `store${s}(e0, n, ${unit("e0", "rc0", "n - 1u", false)}${outPass});`}${rows ? `\n    rc0 = ${nextIndex("rc0")};` : ""}
  }
}`;
}

/**
 * Which of `node`'s operands enter it opaque (OPAQUE_ZEROS says why): float32
 * values of the group's own nodes (a product the compiler could contract with
 * a later sum into one fma), and every float operand after the first (each
 * with its own zero), so that no two operands of a node are one value to the
 * compiler: the same operand read twice (x - x), one value reaching a node
 * twice through a broadcast, or two nodes of the same code that the compiler
 * merges. A group input's value is a load, and a float16/bfloat16 node's
 * value comes out of integer operations on bits (its rounding): nothing to
 * contract. But the compiler may know an integer or bool node's value (x != x
 * is false) and then fold what a float op does with its cast (0 / y as 0): a
 * cast of one to a float takes it opaque. H200, compiled float32
 * x * 2 + bias: 155 -> 144 us with no operand opaque (the measure of what
 * this saves).
 */
export function opaqueOperands(group: FusedGroup, node: FusedNode): boolean[] {
  const n = group.inputs.length;
  const castToFloat = node.primitive.name === "astype" && node.dtype.kind === "float";
  return node.operands.map((k, i) => {
    const d = operandDtype(group, k);
    if (computeType(d) !== "f32") return castToFloat && k >= n;
    return (k >= n && !packed(d)) || i > 0;
  });
}

/** `fn node<j>(a, b, c)`: node j's result (see `packed`, `roundsLater`), the operands flagged in `opaque` made opaque. */
export function nodeFunction(node: FusedNode, j: number, operands: readonly DType[], opaque: readonly boolean[]): string {
  const args = operands.map((d, i) => `${"abc"[i]}_in: ${computeType(d)}`).join(", ");
  const lets = operands.map((_, i) => {
    const x = "abc"[i]!;
    return opaque[i] ? `let ${x} = bitcast<${computeType(operands[i]!)}>(bitcast<u32>(${x}_in) | opaque_zero[${i}]);` : `let ${x} = ${x}_in;`;
  });
  // float16/bfloat16 results of exp, sigmoid, tanh, erf and sqrt: the unfused kernel's narrow path, the full one where it is invalid
  const { v, isBool } = nodeValue(node, operands)!;
  const later = roundsLater(node.dtype);
  const finish = (x: string): string => (later ? x : result(node.dtype, x, isBool)!);
  const narrow = tableOf(node.primitive.name) ? narrowSplitFor(v, node.dtype) : undefined;
  const body = narrow ? `if (${narrow.rare}) { return ${finish(v)}; } return ${finish(narrow.fast)};` : `return ${finish(v)};`;
  return `fn node${j}(${args}) -> ${later ? "f32" : packed(node.dtype) ? "u32" : computeType(node.dtype)} { ${lets.join(" ")} ${body} }`;
}

/** The slots of wgsl/fused.wgsl for `group` split into `segments` (indexed in `modes`). */
function fusedSlots(group: FusedGroup, segments: readonly Segment[], modes: readonly IndexMode[], words: readonly WordReads[]): Record<string, string> {
  // nodes that pass their operand's bits on are read as those bits, never called
  const nodes = group.nodes.flatMap((node, j) => (passesBits(node, operandDtype(group, node.operands[0]!)) ? [] : [nodeFunction(node, j, operandDtypes(group, node), opaqueOperands(group, node))]));
  return {
    INPUTS: group.inputs.map((d, k) => inputDecl(k, k + 2, d) + (packed(d) ? `\n${inputBits(k, d)}` : "")).join("\n"),
    NODES: nodes.join("\n"),
    SEGMENTS: segments.map((seg, s) => segmentSource(group, seg, s, segments.length, modes[s]!, words[s]!)).join("\n\n"),
    DISPATCH: segments.map((_, s) => `if (wg < params[${OPAQUE_ZEROS + s}u]) { segment${s}(wg${s ? ` - params[${OPAQUE_ZEROS + s - 1}u]` : ""}, lid); return; }`).join("\n  "),
  };
}

/** Whether every dtype and node of `group` has a fused form here. */
function fusable(group: FusedGroup): boolean {
  if (![...group.inputs, ...group.nodes.map((x) => x.dtype)].every((d) => FUSED_DTYPES.has(d.name))) return false;
  return group.nodes.every((node) => nodeResult(node, operandDtypes(group, node)) !== undefined);
}

/** The group run by the backend's own kernels, node by node (for a layout past the params window). */
export function nodeByNode(gpu: WebGpuBackend, group: FusedGroup, inputs: readonly Tensor[]): Tensor[] {
  const values: Tensor[] = [...inputs];
  for (const node of group.nodes) {
    const operands = node.operands.map((k) => values[k]!);
    const kernel = gpu.kernels[node.primitive.name]!;
    values.push(kernel(node.primitive, operands, node.primitive.output(operands)));
  }
  const kept = new Set(group.outputs.map((j) => inputs.length + j));
  values.forEach((t, k) => {
    if (k >= inputs.length && !kept.has(k)) gpu.release(t.buffer);
  });
  return group.outputs.map((j) => values[inputs.length + j]!);
}

/**
 * The webgpu backend's `fuse`: one kernel computing the group's outputs, all
 * in one new buffer (each output a view of it at a word boundary), or
 * undefined for a group with a dtype or a node it has no fused form for, or
 * with more inputs than a kernel binds. A call whose layout (shapes and
 * strides) needs more than `maxParamsWords` params words runs node by node.
 * A reduction group gets the kernels of fuse-reduce.ts.
 */
export function webGpuFuse(gpu: WebGpuBackend, maxParamsWords = MAX_PARAMS_WORDS): (group: FusedGroup) => MultiKernel | undefined {
  return (group) => {
    if (group.reduce !== undefined) return webGpuFuseReduce(gpu, group, maxParamsWords);
    if (group.inputs.length + 2 > gpu.ctx.device.limits.maxStorageBuffersPerShaderStage || !fusable(group)) return undefined;
    return (_prim, inputs, outs) => {
      const segments = segmentsOf(group, outs);
      const count = segments.length;
      const words: number[] = Array<number>(OPAQUE_ZEROS).fill(0);
      const ends: number[] = [];
      const blocks: number[][] = [];
      let groups = 0;
      for (const seg of segments) {
        const block = elementwiseLayout(seg.inputs.map((k) => inputs[k]!), outs[seg.outputs[0]!]!.shape);
        groups += Math.ceil(Math.ceil(block[0]! / seg.perUnit) / (256 * UNITS));
        ends.push(groups);
        blocks.push(block);
      }
      const offsets: number[] = [];
      let used = 0;
      for (const o of outs) {
        offsets.push(used);
        used += Math.ceil((o.shape.reduce((x, y) => x * y, 1) * o.dtype.size) / 4);
      }
      words.push(...ends);
      let at = OPAQUE_ZEROS + 2 * count + outs.length;
      for (const block of blocks) {
        words.push(at);
        at += block.length;
      }
      words.push(...offsets, ...blocks.flat());
      if (words.length > maxParamsWords) return nodeByNode(gpu, group, inputs);
      const buffer = gpu.allocate(used * 4);
      const results = outs.map((o, i): Tensor => ({
        buffer: i === 0 ? buffer : retain(buffer),
        dtype: o.dtype,
        shape: o.shape,
        strides: rowMajorStrides(o.shape),
        offset: (offsets[i]! * 4) / o.dtype.size,
      }));
      if (groups === 0) return results;
      // each segment's kernel code indexes its inputs in its layout's mode only (a branch per element kept the loads apart)
      const modes = blocks.map(indexModeOf);
      // and reads its inputs a word (or once) a unit where the layout lets it (elementwise.ts wordReadsFor)
      const reads = blocks.map((block, s) => wordReadsFor(block, segments[s]!.inputs.map((k) => group.inputs[k]!), segments[s]!.perUnit));
      gpu.run(
        {
          op: "compile",
          file: "fused",
          helpers: helpersFor([...group.inputs, ...group.nodes.map((x) => x.dtype)], ["math", "elementwise-index"]),
          key: `${group.key}|${segments.map((s) => s.outputs.join(",")).join(";")}|${modes.join(",")}|${reads.map(wordReadsKey).join(";")}`,
          slots: () => fusedSlots(group, segments, modes, reads),
        },
        gpu.gpuBuffer(results[0]!),
        words,
        inputs.map((x) => gpu.gpuBuffer(x)),
        groups,
      );
      return results;
    };
  };
}
