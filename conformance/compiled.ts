// Compiled cells of the conformance run: each random graph (graphs.ts) as a
// function of its leaves returning its sinks, run as it is and through
// mx.compile on the same inputs (the graphs' reductions after elementwise
// chains become fused reduction groups), and through one shapeless trace
// replayed on inputs of other shapes. On the cpu, and on backends without a `fuse`
// capability (they run the same kernels node by node), the results must be
// bit-identical; a backend that fuses must stay within ULP_PER_NODE ulp per
// node of the graph of the uncompiled result (NaN where it has NaN).

import fc from "fast-check";
import { getBackend } from "../backends/backend.js";
import { deviceFor } from "../src/device.js";
import * as mx from "../index.js";
import { deviceSource, materialize } from "./check.js";
import { graphArb, graphSource, type Graph } from "./graphs.js";
import { OPS, type OpEntry } from "./opdb.js";
import { checkCell, newCell, type CellResult, type RunOutcome } from "./property.js";

/** What a fusing backend may add per node to the uncompiled result (its fused kernels keep every node's rounding; the math may differ by the ops' own contracts). */
export const ULP_PER_NODE = 4;

const entry = (name: string): OpEntry => OPS.find((e) => e.name === name)!;

/**
 * Whether `backend`'s compiled graphs must equal its uncompiled ones bit for
 * bit: no `fuse`, or the fused kernels of cpu, metal and webgpu
 * (the fuse.ts of each), which keep every node's rounding.
 */
function bitIdentical(backend: string): boolean {
  return backend === "cpu" || backend === "metal" || backend === "webgpu" || !getBackend(backend).fuse;
}

/** The graph as a function of its leaves that returns its sinks (the nodes no other node reads), so the rest can fuse. */
export function graphFunction(g: Graph, stream: mx.Device): (...leaves: mx.MxArray[]) => mx.MxArray[] {
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  const sinks = g.nodes.map((_, k) => g.leaves.length + k).filter((i) => !read.has(i));
  return (...leaves) => {
    const values = [...leaves];
    for (const n of g.nodes) values.push(entry(n.op).call(n.inputs.map((i) => values[i]!), n.params, { stream }));
    return sinks.map((i) => values[i]!);
  };
}

export interface CompiledOutcome {
  /** Why the compiled result is not the uncompiled one, if it is not. */
  failure?: string;
  /** Elements compared. */
  elements: number;
  /** ulp distance of each float element (0 where bit-identical). */
  ulps: number[];
}

function ulpOf(x: number, dtype: mx.DType): number {
  const mantissa = dtype.name === "float16" ? 10 : dtype.name === "bfloat16" ? 7 : dtype.name === "float64" ? 52 : 23;
  const minExp = dtype.name === "float16" ? -14 : dtype.name === "float64" ? -1022 : -126;
  return 2 ** (Math.max(Math.floor(Math.log2(Math.abs(x) || 2 ** minExp)), minExp) - mantissa);
}

/** Runs `g` as it is and compiled on `backend` and compares every output. */
export async function checkCompiledGraph(g: Graph, backend: string): Promise<CompiledOutcome> {
  const device = deviceFor(backend);
  const f = graphFunction(g, device);
  const leaves = g.leaves.map((l) => materialize(l, device));
  return compareOutputs(f(...leaves), mx.compile(f)(...leaves), backend, g.nodes.length);
}

/**
 * Runs `g` as it is and through one shapeless trace on `backend`: traced on
 * the leaves cut to one element along every axis (every node then has the
 * same shape, so fusion groups the most), replayed on the leaves themselves,
 * and the other way round (traced on the leaves, replayed on the cuts); each
 * replay compared with the uncompiled graph on its own inputs.
 */
export async function checkShapelessGraph(g: Graph, backend: string): Promise<CompiledOutcome> {
  const device = deviceFor(backend);
  const f = graphFunction(g, device);
  const leaves = g.leaves.map((l) => materialize(l, device));
  const cuts = leaves.map((x) => mx.slice(x, x.shape.map(() => 0), x.shape.map(() => 1), undefined, { stream: device }));
  const out: CompiledOutcome = { elements: 0, ulps: [] };
  for (const [traced, replayed] of [[cuts, leaves], [leaves, cuts]] as const) {
    const compiled = mx.compile(f, { shapeless: true });
    compiled(...traced);
    const one = await compareOutputs(f(...replayed), compiled(...replayed), backend, g.nodes.length);
    out.elements += one.elements;
    out.ulps.push(...one.ulps);
    if (one.failure) return { ...out, failure: `traced on shapes ${traced.map((x) => `(${x.shape.join(", ")})`).join(" ")}, replayed: ${one.failure}` };
  }
  return out;
}

/** The compiled outputs against the plain ones, element by element (bit-identical, or within ULP_PER_NODE ulp per node where `backend` fuses otherwise). */
async function compareOutputs(plain: readonly mx.MxArray[], compiled: readonly mx.MxArray[], backend: string, nodes: number): Promise<CompiledOutcome> {
  const exact = bitIdentical(backend);
  const budget = ULP_PER_NODE * nodes;
  const out: CompiledOutcome = { elements: 0, ulps: [] };
  for (const [k, p] of plain.entries()) {
    const c = compiled[k]!;
    if (p.shape.join() !== c.shape.join()) return { ...out, failure: `output ${k}: compiled shape (${c.shape.join(", ")}) vs uncompiled (${p.shape.join(", ")})` };
    const [pw, cw] = [await p.data(), await c.data()];
    const [pv, cv] = [(await p.tolist()) as unknown, (await c.tolist()) as unknown];
    const [pf, cf] = [[pv].flat(Infinity) as number[], [cv].flat(Infinity) as number[]];
    const pb = new Uint8Array(pw.buffer, pw.byteOffset, pw.byteLength);
    const cb = new Uint8Array(cw.buffer, cw.byteOffset, cw.byteLength);
    for (let i = 0; i < pf.length; i++) {
      out.elements++;
      const size = p.dtype.size;
      // two NaNs count as the same: which NaN survives an op on two NaNs is the driver's operand order, fused or not
      const same = pb.subarray(i * size, (i + 1) * size).every((byte, j) => byte === cb[i * size + j]) || (Number.isNaN(pf[i]!) && Number.isNaN(cf[i]!));
      const ulps = same ? 0 : Number.isNaN(pf[i]!) || Number.isNaN(cf[i]!) ? Infinity : Math.abs(pf[i]! - cf[i]!) / ulpOf(pf[i]!, p.dtype);
      out.ulps.push(ulps);
      if (same || (!exact && ulps <= budget)) continue;
      out.failure = `output ${k} element ${i}: compiled ${cf[i]} vs uncompiled ${pf[i]} (${exact ? "must be bit-identical" : `${ulps} ulp > ${budget}`})`;
      return out;
    }
  }
  return out;
}

/**
 * `runs` random graphs of `dtype` on `backend`, each compiled and compared
 * with itself uncompiled; where `shapeless`, through one shapeless trace
 * replayed on other shapes (checkShapelessGraph).
 */
export async function runCompiledGraphs(dtype: mx.DType, backend: string, runs: number, seed: number, shapeless = false): Promise<CellResult> {
  const cell = newCell(shapeless ? "shapeless compiled graphs" : "compiled graphs", dtype.name, backend);
  const b = getBackend(backend);
  if (!b.capabilities.dtypes.has(dtype)) return { ...cell, status: "n/a", reason: `${dtype.name} not supported on ${b.displayName}` };
  cell.contract = bitIdentical(backend) ? "bit-identical to the uncompiled graph" : `within ${ULP_PER_NODE} ulp per node of the uncompiled graph`;
  const how = shapeless
    ? "compiled shapeless as a function of its leaves returning its sinks, traced on the leaves cut to one element an axis and replayed on the leaves, and the other way round"
    : "compiled as a function of its leaves returning its sinks";
  const run = async (g: Graph): Promise<RunOutcome> => {
    const out = await (shapeless ? checkShapelessGraph : checkCompiledGraph)(g, backend);
    return {
      ulps: out.ulps.filter(Number.isFinite),
      outsideDiffer: 0,
      ...(out.failure ? { failure: out.failure } : {}),
      repro: `// the graph, ${how}:\n${graphSource(g, deviceSource(backend))}`,
    };
  };
  return checkCell(cell, graphArb(dtype) as fc.Arbitrary<Graph>, run, runs, seed, `${shapeless ? "shapeless " : ""}compiled random graph of ${dtype.name} on ${backend}`);
}
