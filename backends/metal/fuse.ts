// The metal backend's `fuse` capability (compile's fusion): one MSL kernel per
// group of elementwise nodes (msl/fused.metal, compiled after the functors of
// msl/elementwise.metal). Each node runs its unfused kernel's functor or cast
// and is kept in its dtype's storage type, as that kernel would store it, so a
// fused group gives the unfused kernels' results bit for bit.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MultiKernel, Tensor } from "../backend.js";
import { elementwiseLayout } from "../strides.js";
import { complex64, type DType } from "../../src/dtype.js";
import type { FusedGroup, FusedNode } from "../../src/compile/group.js";
import { sizeOf } from "../../src/shape.js";
import type { MetalBackend } from "./backend.js";
import { THREADS } from "./elementwise.js";
import { metalFuseReduce } from "./fuse-reduce.js";
import { librarySource } from "./library.js";
import { METAL_DTYPES, binaryList, castExpr, computeType, mslType, unaryList } from "./msl-types.js";
import { mslDir, type NativePipeline } from "./native.js";

/** Counts, words and buffers from this on need the int64 index variant (as MetalBackend.run decides). */
const INT32_INDEX = 2 ** 31;
/** Threads along the first grid dimension when the count does not fit one (a multiple of THREADS). */
const ROW_THREADS = 2 ** 30;

/** The functor and output type ("T": the input's storage type, or "bool") of each op, from the X-macro list the unfused library of a dtype is built with. */
function functorTable(list: string): Map<string, { functor: string; out: string }> {
  const table = new Map<string, { functor: string; out: string }>();
  for (const m of list.matchAll(/X\((\w+), (\w+), (\w+)\)/g)) table.set(m[1]!, { functor: m[2]!, out: m[3]! });
  return table;
}

/** Real dtypes the metal backend holds (complex64's pairs run node by node). */
export function fusable(d: DType): boolean {
  return d !== complex64 && METAL_DTYPES.includes(d);
}

/** The statement giving node `j` (v<j>) from its operands, or undefined when the node has no fused form. */
export function statement(n: FusedNode, j: number, operand: (k: number) => string, dtypeOf: (k: number) => DType): string | undefined {
  const ins = n.operands.map(dtypeOf);
  const ops = n.operands.map(operand);
  const d = ins[0]!;
  const s = mslType(n.dtype);
  const name = n.primitive.name;
  if (name === "astype") return `${s} v${j}; { const ${computeType(d)} a = ${computeType(d)}(${ops[0]}); v${j} = ${s}(${castExpr(d, n.dtype)}); }`;
  if (name === "broadcast") return d === n.dtype ? `const ${s} v${j} = ${ops[0]};` : undefined;
  if (name === "where") {
    // the storage words of x or y, as the where kernel copies them
    if (d.name !== "bool" || ins[1] !== n.dtype || ins[2] !== n.dtype) return undefined;
    return `const ${s} v${j} = ${ops[0]} ? ${ops[1]} : ${ops[2]};`;
  }
  // unary and binary: the kernel of the first operand's dtype reads every operand as that dtype
  if (ins.some((x) => x !== d)) return undefined;
  const entry = functorTable(ins.length === 1 ? unaryList(d) : binaryList(d)).get(name);
  if (!entry || (ins.length !== 1 && ins.length !== 2) || (entry.out === "T" ? mslType(d) : entry.out) !== s) return undefined;
  return `const ${s} v${j} = ${s}(${entry.functor}()(${ops.map((o) => `${computeType(d)}(${o})`).join(", ")}));`;
}

/** The kernel's #defines for `group` (msl/fused.metal lists them), or undefined when a dtype or a node has no fused form here. */
function fusedDefines(group: FusedGroup): Record<string, string> | undefined {
  if (!group.inputs.every(fusable) || !group.nodes.every((x) => fusable(x.dtype))) return undefined;
  const m = group.outputs.length, k = group.inputs.length;
  const dtypeOf = (i: number): DType => (i < k ? group.inputs[i]! : group.nodes[i - k]!.dtype);
  const operand = (i: number): string => (i < k ? `x${i}` : `v${i - k}`);
  const nodes: string[] = [];
  for (const [j, node] of group.nodes.entries()) {
    const s = statement(node, j, operand, dtypeOf);
    if (s === undefined) return undefined;
    nodes.push(s);
  }
  const last = group.nodes.length - 1;
  const buffers = [
    ...group.outputs.map((j, i) => `device ${mslType(group.nodes[j]!.dtype)}* out${i} [[buffer(${i})]]`),
    ...group.inputs.map((d, i) => `device const ${mslType(d)}* in${i} [[buffer(${m + i})]]`),
  ];
  const loads = group.inputs.map((d, i) => `const ${mslType(d)} x${i} = in${i}[offset_of(p, ${m + i}, e)];`);
  // the last node has the group's shape: every element is its own; a smaller output is written at its first copy
  const stores = group.outputs.map((j, i) => `${j === last ? "" : `if (first_copy(p, ${i}, e)) `}out${i}[offset_of(p, ${i}, e)] = v${j};`);
  return {
    // the elementwise library's functors only: its kernels for float (where_op, copy) come along unused
    T: "float",
    C: "float",
    "UNARY_OPS(X)": "",
    "BINARY_OPS(X)": "",
    "CASTS(X)": "",
    FUSED_BUFFERS: buffers.join(", "),
    FUSED_PARAMS: String(m + k),
    FUSED_LOADS: loads.join(" "),
    FUSED_NODES: nodes.join(" "),
    FUSED_STORES: stores.join(" "),
  };
}

let template: string | undefined;

/** The library's source: the defines, common.metal, elementwise.metal, then fused.metal. */
function fusedSource(defines: Record<string, string>): string {
  template ??= readFileSync(join(mslDir(), "fused.metal"), "utf8");
  return `${librarySource("elementwise", defines)}\n#line 1 "fused.metal"\n${template}`;
}

/**
 * The metal backend's `fuse`: one kernel computing the group over the last
 * node's shape, or undefined for groups with complex64 (or a node the
 * elementwise library has no functor for); they run node by node. A
 * reduction group gets the kernels of fuse-reduce.ts. Pipelines
 * are compiled on first use, per group structure and index width.
 */
export function metalFuse(metal: MetalBackend): (group: FusedGroup) => MultiKernel | undefined {
  return (group) => {
    // a reduction group gets fuse-reduce.ts's kernels (where it declines, compile/fusion.ts fuses around the reduce kernel)
    if (group.reduce !== undefined) return metalFuseReduce(metal, group);
    const defines = fusedDefines(group);
    if (!defines) return undefined;
    const label = `fused-${createHash("sha256").update(group.key).digest("hex").slice(0, 16)}`;
    const pipelines = new Map<boolean, NativePipeline>();
    const pipelineFor = (large: boolean): NativePipeline => {
      let p = pipelines.get(large);
      if (p) return p;
      const source = fusedSource(large ? { IDX: "long", UIDX: "ulong", ...defines } : defines);
      try {
        p = metal.device.newPipeline(metal.device.newLibrary(`${label}${large ? "-i64" : ""}.metal`, source), "fused");
      } catch (e) {
        throw new Error(`[compile] the fused kernel of group ${group.key} did not compile: ${(e as Error).message}`);
      }
      pipelines.set(large, p);
      return p;
    };
    const full = group.outputs.indexOf(group.nodes.length - 1);
    return (_prim, inputs, outs) => {
      const made = outs.map((o) => metal.allocOutput(o));
      const shape = outs[full]!.shape;
      const n = sizeOf(shape);
      if (n === 0) return made;
      const buffers: Tensor[] = [...made, ...inputs];
      const words = elementwiseLayout(buffers, shape);
      const large = n >= INT32_INDEX || words.some((w) => w >= INT32_INDEX || w < -INT32_INDEX) || buffers.some((t) => t.buffer.nbytes >= INT32_INDEX);
      const params = large ? BigInt64Array.from(words, (w) => BigInt(w)) : Int32Array.from(words);
      const grid = n < INT32_INDEX ? [n] : [ROW_THREADS, Math.ceil(n / ROW_THREADS)];
      metal.dispatch("compile", pipelineFor(large), buffers, params, grid, [THREADS]);
      return made;
    };
  };
}
