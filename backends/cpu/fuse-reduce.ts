// The cpu's fused reductions (compile's fusion of a reduction with its
// elementwise prologue and epilogue): one generated loop per output element
// that computes each prologue element where the reduce kernel would load it,
// folds it exactly as backends/cpu/reduce.ts does (same order, same float64
// accumulators, the float sum's blocks and compensation), rounds the result to
// the reduction's dtype and runs the epilogue on it, so results are bit-identical.

import type { Backend, MultiKernel } from "../backend.js";
import type { DType } from "../../src/dtype.js";
import type { FusedGroup } from "../../src/compile/group.js";
import type { Reduce } from "../../src/primitives/reduce.js";
import { broadcastView } from "../strides.js";
import { readAs, writeAs } from "./elementwise.js";
import { stored, statement, fusableDtype } from "./fuse.js";
import { H } from "./math.js";
import { BLOCK, FLOAT_SUM, floatSumStatements, reducerFor, segments, segmentWalker, type Segments } from "./reduce.js";
import { allocOutput, offsets, wordLayout, wordsOf, type OffsetWalker } from "./tensor.js";
import { valueSpecs } from "../fused-values.js";

/**
 * Where a prologue input's elements are: per output its segment's start, per
 * element its offset (a table, r * stride, or walked a block at a time into
 * `blk` by `wk` where the reduced dims are too many for a table).
 */
interface PrologueLayout extends Segments {
  blk: Float64Array;
  wk: OffsetWalker | null;
}

type ReduceLoop = (outs: ArrayLike<unknown>[], ins: ArrayLike<unknown>[], pro: (PrologueLayout | null)[], epi: (Float64Array | null)[], nOut: number, R: number, walker: (seg: Segments) => OffsetWalker) => void;

/** The loop computing reduction group `group`, or undefined when a dtype or a node has no fused form here. */
function fusedReduceLoop(group: FusedGroup): ReduceLoop | undefined {
  const n = group.inputs.length;
  const ri = group.reduce!;
  if (!group.inputs.every(fusableDtype) || !group.nodes.every((x) => fusableDtype(x.dtype))) return undefined;
  const dtypeOf = (k: number): DType => (k < n ? group.inputs[k]! : group.nodes[k - n]!.dtype);
  const operand = (k: number): string => (k < n ? `x${k}` : `v${k - n}`);
  const lines = (js: readonly number[]): string[] | undefined => {
    const out: string[] = [];
    for (const j of js) {
      const s = statement(group.nodes[j]!, j, operand, dtypeOf);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  };
  const prologue = lines([...Array(ri).keys()]);
  const epilogue = lines([...Array(group.nodes.length - ri - 1).keys()].map((i) => ri + 1 + i));
  if (!prologue || !epilogue) return undefined;
  const rnode = group.nodes[ri]!;
  const src = rnode.operands[0]!;
  const inDtype = dtypeOf(src);
  const readsOf = (js: readonly number[]) => [...new Set(js.flatMap((j) => group.nodes[j]!.operands.filter((k) => k < n)))];
  const proInputs = readsOf([...Array(ri + 1).keys()]);
  const epiInputs = readsOf([...Array(group.nodes.length - ri - 1).keys()].map((i) => ri + 1 + i));
  const f = reducerFor(rnode.primitive.name, inDtype);
  if (!f) return undefined;
  // element r of output o's segment, decoded as the reduce kernel decodes its input
  // (B: the start of the block whose offsets the walked inputs hold)
  const element = `let B = 0;
  const at = (o, r) => {
    ${proInputs.map((k) => `const x${k} = I${k}[P${k}.base[o] + (P${k}.red ? P${k}.red[r] : P${k}.wk ? P${k}.blk[r - B] : r * P${k}.stride)];`).join(" ")}
    ${prologue.join("\n    ")}
    return ${readAs(inDtype).replace("@", operand(src))};
  };`;
  const at = (r: string) => `at(o, ${r})`;
  // blocks of 4096 (the float sum's own): as each starts, the walked inputs' offsets for it
  const onBlock = `B = b; ${proInputs.map((k) => `if (P${k}.wk) P${k}.wk.next(P${k}.blk, e - b);`).join(" ")}`;
  const fold = f === FLOAT_SUM
    ? floatSumStatements(at, onBlock)
    : `${f.init} for (let b = 0; b < R; b += 4096) { const e = b + 4096 < R ? b + 4096 : R; ${onBlock} for (let r = b; r < e; r++) { const a = ${at("r")}; ${f.step} } }`;
  const startWalks = proInputs.map((k) => `if (P${k}.walk) P${k}.wk = walker(P${k});`).join(" ");
  const body = `
${[...Array(n).keys()].map((k) => `const I${k} = ins[${k}]; const P${k} = pro[${k}]; const E${k} = epi[${k}];`).join("\n")}
${group.outputs.map((_, i) => `const O${i} = outs[${i}];`).join(" ")}
${element}
for (let o = 0; o < nOut; o++) {
  ${startWalks}
  let v${ri};
  { ${fold} v${ri} = ${stored(rnode.dtype, writeAs(rnode.dtype, "acc"))}; }
  ${epiInputs.map((k) => `const x${k} = I${k}[E${k}[o]];`).join(" ")}
  ${epilogue.join("\n  ")}
  ${group.outputs.map((j, i) => `O${i}[o] = v${j};`).join(" ")}
}`;
  return new Function("H", `return function fusedReduceLoop(outs, ins, pro, epi, nOut, R, walker) {${body}\n};`)(H) as ReduceLoop;
}

/**
 * The kernel of a reduction group on the cpu, or undefined for one with
 * complex64, 64-bit integers or a node without a fused form (the group then
 * runs as its prologue and epilogue fused around the reduce kernel).
 */
export function cpuFuseReduce(backend: Backend, group: FusedGroup): MultiKernel | undefined {
  const loop = fusedReduceLoop(group);
  if (!loop) return undefined;
  const n = group.inputs.length;
  const ri = group.reduce!;
  const reads = (from: number, to: number) => new Set(group.nodes.slice(from, to).flatMap((m) => m.operands.filter((k) => k < n)));
  const proInputs = reads(0, ri + 1);
  const epiInputs = reads(ri + 1, group.nodes.length);
  const axes = (group.nodes[ri]!.primitive as Reduce).axes;
  return (_prim, inputs, outs) => {
    const specs = valueSpecs(group, inputs);
    const xShape = specs[group.nodes[ri]!.operands[0]!]!.shape;
    const outShape = specs[n + ri]!.shape;
    const made = outs.map((spec) => allocOutput(backend, spec));
    const pro = inputs.map((t, k): PrologueLayout | null => {
      if (!proInputs.has(k)) return null;
      const l = wordLayout(broadcastView(t, xShape));
      const seg = segments(xShape, l.strides, l.offset, axes);
      return { ...seg, blk: new Float64Array(seg.walk ? BLOCK : 0), wk: null };
    });
    const epi = inputs.map((t, k) => {
      if (!epiInputs.has(k)) return null;
      const l = wordLayout(broadcastView(t, outShape));
      return offsets(outShape, l.strides, l.offset);
    });
    const nOut = outShape.reduce((p, d) => p * d, 1);
    const R = axes.reduce((p, d) => p * xShape[d]!, 1);
    loop(made.map((m) => m.w), inputs.map(wordsOf), pro, epi, nOut, R, segmentWalker);
    return made.map((m) => m.t);
  };
}
