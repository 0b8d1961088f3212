// The cpu's `fuse` capability: one generated loop for a group of elementwise
// nodes (compile's fusion). Each node computes as its own kernel does (float64
// math on decoded inputs) and its value is kept as the storage word that
// kernel would have stored, so every node still rounds to its dtype and a
// fused group gives bit-identical results.

import type { Backend, MultiKernel } from "../backend.js";
import { is64BitInt, type DType } from "../../src/dtype.js";
import type { FusedGroup, FusedNode } from "../../src/compile/group.js";
import type { BinaryOp, UnaryOp } from "../../src/primitives/elementwise.js";
import { broadcastView, collapseDims } from "../strides.js";
import { cpuFuseReduce } from "./fuse-reduce.js";
import { BINARY_EXPRS, UNARY_EXPRS, castExpr, exprFor, readAs, writeAs } from "./elementwise.js";
import { H } from "./math.js";
import { allocOutput, wordLayout, wordsOf } from "./tensor.js";

type FusedLoop = (outs: ArrayLike<unknown>[], ins: ArrayLike<unknown>[], offsets: number[], shape: number[], strides: number[][]) => void;

/** Expression `e` as the word a typed array of `dtype` stores (what the unfused kernel's output buffer would hold). */
export function stored(dtype: DType, e: string): string {
  switch (dtype.name) {
    case "float32":
      return `Math.fround(${e})`;
    case "int8":
      return `((${e}) << 24 >> 24)`;
    case "uint8":
      return `((${e}) & 255)`;
    case "int16":
      return `((${e}) << 16 >> 16)`;
    case "uint16":
      return `((${e}) & 65535)`;
    case "int32":
      return `((${e}) | 0)`;
    case "uint32":
      return `((${e}) >>> 0)`;
    default: // float64 (no rounding), float16/bfloat16 and bool (the expression already gives the word)
      return `(${e})`;
  }
}

/** The dtypes this loop handles: no complex64 (word pairs) and no 64-bit integers (BigInt words). */
export function fusableDtype(d: DType): boolean {
  return d.kind !== "complex" && !is64BitInt(d);
}

/** The statement computing node `j` from its operands' words, or undefined when the node has no fused form. */
export function statement(n: FusedNode, j: number, operand: (k: number) => string, dtypeOf: (k: number) => DType): string | undefined {
  const ops = n.operands.map(operand);
  const name = n.primitive.name;
  const bind = (d: DType, names: string[]) => names.map((v, i) => `const ${v} = ${readAs(d).replace("@", ops[i]!)};`).join(" ");
  let body: string | undefined;
  if (name in UNARY_EXPRS) {
    const d = dtypeOf(n.operands[0]!);
    const e = exprFor(UNARY_EXPRS[name as UnaryOp], d);
    if (e !== undefined) body = `${bind(d, ["a"])} v${j} = ${stored(n.dtype, writeAs(n.dtype, e))};`;
  } else if (name in BINARY_EXPRS) {
    const d = dtypeOf(n.operands[0]!);
    const e = exprFor(BINARY_EXPRS[name as BinaryOp], d);
    if (e !== undefined) body = `${bind(d, ["a", "b"])} v${j} = ${stored(n.dtype, writeAs(n.dtype, e))};`;
  } else if (name === "where") {
    // storage words pass through as they are, as in the where kernel
    body = `v${j} = (${ops[0]} ? ${ops[1]} : ${ops[2]});`;
  } else if (name === "astype") {
    const d = dtypeOf(n.operands[0]!);
    body = `${bind(d, ["a"])} v${j} = ${stored(n.dtype, castExpr(d, n.dtype))};`;
  } else if (name === "broadcast") {
    body = `v${j} = ${ops[0]};`;
  }
  return body === undefined ? undefined : `let v${j}; { ${body} }`;
}

/** The loop's source: inputs and outputs walked by their strides over the loop's shape, the nodes' statements per element. */
function loopSource(inputs: number, body: string, results: readonly string[]): string {
  const ks = [...Array(inputs).keys()];
  const js = [...results.keys()];
  const load = (idx: (k: number) => string) => ks.map((k) => `const x${k} = I${k}[${idx(k)}];`).join(" ");
  const store = (idx: (j: number) => string) => js.map((j) => `O${j}[${idx(j)}] = ${results[j]};`).join(" ");
  const walk = [...ks.map((k) => ["I", k] as const), ...js.map((j) => ["O", j] as const)];
  return `
${ks.map((k) => `const I${k} = ins[${k}];`).join(" ")}
${js.map((j) => `const O${j} = outs[${j}];`).join(" ")}
const nd = shape.length;
let total = 1;
for (let d = 0; d < nd; d++) total *= shape[d];
if (total === 0) return;
if (nd === 0) { ${load((k) => `offsets[${k}]`)} ${body} ${store(() => "0")} return; }
const inner = shape[nd - 1];
${walk.map(([t, k]) => `const S${t}${k} = strides[${t === "I" ? k : `${inputs} + ${k}`}]; const s${t}${k} = S${t}${k}[nd - 1]; let p${t}${k} = ${t === "I" ? `offsets[${k}]` : "0"};`).join("\n")}
const idx = new Array(nd).fill(0);
for (let done = 0; done < total; done += inner) {
  for (let i = 0; i < inner; i++) { ${load((k) => `pI${k} + i * sI${k}`)} ${body} ${store((j) => `pO${j} + i * sO${j}`)} }
  for (let d = nd - 2; d >= 0; d--) {
    ${walk.map(([t, k]) => `p${t}${k} += S${t}${k}[d];`).join(" ")}
    if (++idx[d] < shape[d]) break;
    ${walk.map(([t, k]) => `p${t}${k} -= S${t}${k}[d] * shape[d];`).join(" ")}
    idx[d] = 0;
  }
}`;
}

/** The loop computing `group`, or undefined when a dtype or a node has no fused form here. */
function fusedLoop(group: FusedGroup): FusedLoop | undefined {
  const n = group.inputs.length;
  if (!group.inputs.every(fusableDtype) || !group.nodes.every((x) => fusableDtype(x.dtype))) return undefined;
  const dtypeOf = (k: number): DType => (k < n ? group.inputs[k]! : group.nodes[k - n]!.dtype);
  const operand = (k: number): string => (k < n ? `x${k}` : `v${k - n}`);
  const statements: string[] = [];
  for (const [j, node] of group.nodes.entries()) {
    const s = statement(node, j, operand, dtypeOf);
    if (s === undefined) return undefined;
    statements.push(s);
  }
  const src = loopSource(n, statements.join("\n"), group.outputs.map((j) => `v${j}`));
  return new Function("H", `return function fusedLoop(outs, ins, offsets, shape, strides) {${src}\n};`)(H) as FusedLoop;
}

/**
 * The cpu backend's `fuse`: a kernel running the group's nodes in one loop
 * over the last node's shape, or undefined for groups with complex64 or
 * 64-bit integers (they run node by node). An output smaller than that shape
 * is written through broadcast strides (each of its elements, as often as it is read).
 * A reduction group gets the loop of fuse-reduce.ts.
 */
export function cpuFuse(backend: Backend): (group: FusedGroup) => MultiKernel | undefined {
  return (group) => {
    if (group.reduce !== undefined) return cpuFuseReduce(backend, group);
    const loop = fusedLoop(group);
    if (!loop) return undefined;
    return (_prim, inputs, outs) => {
      const shape = outs[outs.length - 1]!.shape;
      const made = outs.map((spec) => allocOutput(backend, spec));
      const views = [...inputs, ...made.map((m) => m.t)].map((x) => broadcastView(x, shape));
      const layouts = views.map(wordLayout);
      const collapsed = collapseDims(shape, layouts.map((l) => l.strides));
      loop(made.map((m) => m.w), inputs.map(wordsOf), layouts.map((l) => l.offset), collapsed.shape, collapsed.strides);
      return made.map((m) => m.t);
    };
  };
}
