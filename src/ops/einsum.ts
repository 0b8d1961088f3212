// einsum and einsumPath (MLX's): Einstein summation over any number of
// operands, contracted pairwise along the greedy path of einsum-path.ts. Each
// step collapses repeated letters (diagonals), sums letters no one else needs,
// then contracts a pair through matmul (integers: an exact multiply and sum,
// see matmul-args.ts) and anything else by a broadcast multiply and sum.

import { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { describeValue, opError } from "../errors.js";
import { checkArrayLike, opStream, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { multiply } from "./elementwise.js";
import { broadcastTo, reshape, transpose } from "./layout.js";
import { contractPair } from "./matmul-args.js";
import { parseEinsum } from "./einsum-parse.js";
import { planEinsum, type PathStep } from "./einsum-path.js";
import { inShapelessTrace } from "../compile/shapeless-tracing.js";
import { sum } from "./reduction.js";
import { diagonal } from "./shapes.js";
import { asOp, checkOptions } from "./strict-options.js";

type So = { stream: Stream };

const isIdentity = (perm: readonly number[]) => perm.every((p, i) => p === i);
const permute = (x: MxArray, perm: number[], o: So) => (isIdentity(perm) ? x : transpose(x, perm, o));
const product = (ns: readonly number[]) => ns.reduce((a, b) => a * b, 1);

/** `x` (letters `t`) with each repeated letter reduced to its diagonal, which moves to the end. */
function collapseRepeats(x: MxArray, t: string, o: So): [MxArray, string] {
  for (;;) {
    const i = [...t].findIndex((c, k) => t.indexOf(c, k + 1) >= 0);
    if (i < 0) return [x, t];
    const c = t[i]!, j = t.indexOf(c, i + 1);
    x = diagonal(x, { axis1: i, axis2: j, ...o });
    t = [...t].filter((_, k) => k !== i && k !== j).join("") + c;
  }
}

/** `x` (letters `from`) transposed to the letter order `to` (the same letters). */
const toOrder = (x: MxArray, from: string, to: string, o: So) => permute(x, [...to].map((c) => from.indexOf(c)), o);

/** The pair contracted through matmul: shared output letters batch, a's and b's other output letters stay, the rest contract. */
function dotPair(a: MxArray, ta: string, b: MxArray, tb: string, out: string, o: So): MxArray {
  // a letter's size: its operand's, or where both have it the one that is not 1 (they broadcast)
  const size = (c: string) => {
    const sa = ta.includes(c) ? a.shape[ta.indexOf(c)]! : undefined, sb = tb.includes(c) ? b.shape[tb.indexOf(c)]! : undefined;
    return sa === undefined ? sb! : sb === undefined || sa !== 1 ? sa : sb;
  };
  const contract = [...ta].filter((c) => !out.includes(c));
  const batch = [...ta].filter((c) => out.includes(c) && tb.includes(c));
  const keepA = [...ta].filter((c) => out.includes(c) && !tb.includes(c));
  const keepB = [...tb].filter((c) => out.includes(c) && !ta.includes(c));
  const grouped = (x: MxArray, t: string, groups: string[][]) => {
    const full = broadcastTo(x, [...t].map(size), o);
    const moved = toOrder(full, t, groups.flat().join(""), o);
    return reshape(moved, [...groups[0]!.map(size), ...groups.slice(1).map((g) => product(g.map(size)))], o);
  };
  const r = contractPair(grouped(a, ta, [batch, keepA, contract]), grouped(b, tb, [batch, contract, keepB]), o.stream);
  const letters = [...batch, ...keepA, ...keepB].join("");
  return toOrder(reshape(r, [...letters].map(size), o), letters, out, o);
}

/** The terms multiplied with broadcasting over all their letters, then summed over the letters not in `out`. */
function multiplySum(xs: MxArray[], ts: string[], out: string, o: So): MxArray {
  const all = [...new Set(ts.join(""))];
  const aligned = xs.map((x, i) => {
    const t = ts[i]!;
    const mine = all.filter((c) => t.includes(c));
    const moved = toOrder(x, t, mine.join(""), o);
    return mine.length === all.length ? moved : reshape(moved, all.map((c) => (t.includes(c) ? x.shape[t.indexOf(c)]! : 1)), o);
  });
  let r = aligned.reduce((acc, x) => multiply(acc, x, o));
  const summed = all.flatMap((c, k) => (out.includes(c) ? [] : [k]));
  if (summed.length) r = sum(r, summed, o);
  return toOrder(r, all.filter((c) => out.includes(c)).join(""), out, o);
}

/** One step of the path on the live operands; returns its result. */
function runStep(step: PathStep, live: readonly MxArray[], o: So): MxArray {
  const xs: MxArray[] = [], ts: string[] = [];
  step.positions.forEach((p, k) => {
    const [x, t] = collapseRepeats(live[p]!, step.inputs[k]!, o);
    xs.push(x);
    ts.push(t);
  });
  const counts = new Map<string, number>();
  for (const t of [...ts, step.output]) for (const c of t) counts.set(c, (counts.get(c) ?? 0) + 1);
  ts.forEach((t, k) => {
    const lone = [...t].flatMap((c, ax) => (counts.get(c) === 1 ? [ax] : []));
    if (!lone.length) return;
    xs[k] = sum(xs[k]!, lone, o);
    ts[k] = [...t].filter((_, ax) => !lone.includes(ax)).join("");
  });
  const contracts = ts.length === 2 && [...ts[0]!].some((c) => !step.output.includes(c));
  if (contracts) return dotPair(xs[0]!, ts[0]!, xs[1]!, ts[1]!, step.output, o);
  return multiplySum(xs, ts, step.output, o);
}

/** The operands and options of einsum/einsumPath: arrays (or JS scalars), then optionally an options object. */
function splitOperands(op: string, args: readonly unknown[], takesOptions: boolean): { operands: ArrayLike[]; options: OpOptions | undefined } {
  const last = args[args.length - 1];
  const isOptions = takesOptions && last !== null && typeof last === "object" && !Array.isArray(last) && !(last instanceof MxArray);
  const operands = isOptions ? args.slice(0, -1) : [...args];
  if (isOptions) checkOptions(op, last);
  operands.forEach((x, i) => checkArrayLike(op, x, `operand ${i}`));
  return { operands: operands as ArrayLike[], options: isOptions ? (last as OpOptions) : undefined };
}

/**
 * Einstein summation (MLX's `einsum`): `subscripts` name each operand's axes
 * with letters ("ij,jk->ik"); letters missing from the output are summed,
 * repeated letters within an operand take its diagonal ("ii->i", "ii" is the
 * trace); without "->" the output is the letters used once, in alphabetical
 * order; "..." stands for an operand's leading (or middle) axes, which
 * broadcast, as do axes of size 1. Three or more operands are contracted
 * pairwise along the greedy path `einsumPath` reports. Float operands contract
 * through matmul; integer ones stay exact (a multiply and sum over slices of
 * the contracted axes, in sum's dtype, where MLX's matmul refuses them).
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]], mx.float32);
 * await mx.einsum("ij,jk->ik", a, a).tolist(); // [[7, 10], [15, 22]]
 * await mx.einsum("ii", a).item(); // 5
 * await mx.einsum("ij->j", a).tolist(); // [4, 6]
 * await mx.einsum("...j,j", a, mx.array([1, -1], mx.float32)).tolist(); // [-1, -1]
 * ```
 */
export function einsum(subscripts: string, ...operands: (ArrayLike | OpOptions)[]): MxArray {
  return asOp("einsum", () => {
    const op = "einsum";
    const { operands: xs, options } = splitOperands(op, operands, true);
    const s = opStream(op, options, ...xs);
    const o = { stream: s };
    const arrays = xs.map((x, i) => toArray(op, x, s, undefined, `operand ${i}`));
    const spec = parseEinsum(op, subscripts, arrays.map((x) => x.shape));
    const { steps } = planEinsum(spec);
    if (steps.length > 1 && inShapelessTrace()) {
      throw opError(op, `the order in which it contracts ${arrays.length} operands follows their sizes, so a shapeless trace would keep the traced shapes' order (other rounding on other shapes): contract them in pairs, one einsum of two operands each`, arrays, "value");
    }
    let live = arrays;
    for (const step of steps) {
      const r = runStep(step, live, o);
      live = [...live.filter((_, i) => !step.positions.includes(i)), r];
    }
    return live[0]!;
  });
}

/**
 * The contraction order einsum takes for `subscripts` on these operands (MLX's
 * `einsum_path`): `[path, report]` where each path entry lists the positions,
 * in the list of live operands, of the terms one step contracts (its result is
 * appended to the list), and the report gives the naive and optimized scaling
 * and flop counts.
 * @example
 * ```ts
 * const [path] = mx.einsumPath("ij,jk,kl", mx.zeros([5, 8]), mx.zeros([8, 10]), mx.zeros([10, 7]));
 * path; // [[1, 2], [0, 1]]
 * ```
 */
export function einsumPath(subscripts: string, ...operands: ArrayLike[]): [number[][], string] {
  return asOp("einsumPath", () => {
    const op = "einsumPath";
    const { operands: xs } = splitOperands(op, operands, false);
    const shapes = xs.map((x) => (x instanceof MxArray ? x.shape : []));
    if (typeof subscripts !== "string") throw opError(op, `subscripts must be a string such as 'ij,jk->ik', got ${describeValue(subscripts)}`, [], "type");
    const plan = planEinsum(parseEinsum(op, subscripts, shapes));
    const report = [
      `  Complete contraction:  ${subscripts}`,
      `         Naive scaling:  ${plan.naiveScaling}`,
      `     Optimized scaling:  ${plan.optimizedScaling}`,
      `      Naive FLOP count:  ${plan.naiveCost}`,
      `  Optimized FLOP count:  ${plan.optimizedCost}`,
    ].join("\n") + "\n";
    return [plan.steps.map((st) => st.positions), report];
  });
}
