// The conformance run: for every op entry x dtype x backend, a fast-check
// property over generated cases (runCase), shrunk to a minimal failing case
// with its seed and path, plus per-cell statistics (max and p99 ulp error,
// the element nearest its bound and that bound, outside-spec differences);
// the cpu reference's own cells against NumPy; random graphs; and the array
// API's special-value rules. Cells a backend cannot run are n/a with the reason.

import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { runCase, entryContract, describeContract, deviceSource } from "./check.js";
import { checkGraph, graphArb, graphSource, type Graph } from "./graphs.js";
import { runCompiledGraphs } from "./compiled.js";
import { runNumpyCell, type NumpyProcess } from "./numpy.js";
import { checkCell, newCell, type CellResult, type RunOutcome } from "./property.js";
import { runSpecialCases } from "./special-cases.js";
import type { OpEntry } from "./opdb.js";

export type { CellResult } from "./property.js";

/** The pseudo-backend of the cells that check the cpu reference against NumPy. */
const NUMPY = "cpu vs numpy";

export interface RunOptions {
  backends: string[];
  ops: readonly OpEntry[];
  dtypes?: readonly string[];
  runs: number;
  /** Random graphs per backend and float dtype (0: none). */
  graphs: number;
  /** When given, every op x dtype is also run on the cpu reference and checked against NumPy. */
  numpy?: NumpyProcess;
  seed: number;
  onCell?: (done: number, total: number, label: string) => void;
}

/** Runs one cell: `runs` cases of `entry` on `dtype` and `backend`. */
export async function runCell(entry: OpEntry, dtype: mx.DType, backend: string, runs: number, seed: number): Promise<CellResult> {
  const cell = newCell(entry.name, dtype.name, backend);
  const b = getBackend(backend as "cpu");
  if (!b.capabilities.dtypes.has(dtype)) return { ...cell, status: "n/a", reason: `${dtype.name} not supported on ${b.displayName}` };
  if (backend === "cpu") return { ...cell, status: "n/a", reason: "the reference itself" };
  cell.contract = describeContract(entryContract(entry, backend));
  return checkCell(cell, entry.cases(dtype), (c) => runCase(entry, backend, c), runs, seed, `${entry.name} ${dtype.name} on ${backend}`);
}

/** `runs` random graphs of `dtype` on `backend`, each node judged given the backend's own inputs to it. */
export async function runGraphs(dtype: mx.DType, backend: string, runs: number, seed: number): Promise<CellResult> {
  const cell = newCell("random graphs", dtype.name, backend);
  const b = getBackend(backend as "cpu");
  if (!b.capabilities.dtypes.has(dtype)) return { ...cell, status: "n/a", reason: `${dtype.name} not supported on ${b.displayName}` };
  cell.contract = "each node within its own op's contract, given the backend's inputs to it";
  const run = async (g: Graph): Promise<RunOutcome> => {
    const out = await checkGraph(g, backend);
    const f = out.failure;
    return {
      ulps: out.ulps,
      outsideDiffer: out.outsideDiffer,
      ...(out.worst ? { worst: out.worst } : {}),
      failure: f && `node v${f.node} (${f.op}) leaves its contract given its own inputs: ${f.outcome.failure}`,
      repro: f ? `// the graph:\n${f.graph}\n// the failing node alone, on the backend's inputs to it:\n${f.outcome.repro}` : `// the graph:\n${graphSource(g, deviceSource(backend))}`,
    };
  };
  return checkCell(cell, graphArb(dtype), run, runs, seed, `random graph of ${dtype.name} on ${backend}`);
}

/** Runs every cell of the selection, in order op, dtype, backend, then the random graphs. */
export async function runConformance(o: RunOptions): Promise<CellResult[]> {
  const cells: [OpEntry, mx.DType, string][] = [];
  for (const entry of o.ops) {
    for (const d of entry.dtypes) {
      if (o.dtypes && !o.dtypes.includes(d.name)) continue;
      for (const b of o.backends) cells.push([entry, d, b]);
      if (o.numpy) cells.push([entry, d, NUMPY]);
    }
  }
  const graphCells: [mx.DType, string][] = [];
  if (o.graphs > 0) {
    for (const d of [mx.float32, mx.float16, mx.bfloat16]) if (!o.dtypes || o.dtypes.includes(d.name)) for (const b of o.backends) graphCells.push([d, b]);
  }
  const total = cells.length + graphCells.length;
  const results: CellResult[] = [];
  for (const [i, [entry, d, b]] of cells.entries()) {
    o.onCell?.(i, total, `${entry.name} ${d.name} ${b}`);
    results.push(b === NUMPY ? await runNumpyCell(o.numpy!, entry, d, o.runs, o.seed) : await runCell(entry, d, b, o.runs, o.seed));
  }
  for (const [i, [d, b]] of graphCells.entries()) {
    o.onCell?.(cells.length + i, total, `random graphs ${d.name} ${b}`);
    results.push(await runGraphs(d, b, o.graphs, o.seed));
  }
  // each random graph compiled against itself uncompiled, then compiled shapeless and replayed on other shapes
  // (conformance/compiled.ts), the cpu first
  const compiledDtypes = o.graphs > 0 ? [mx.float32, mx.float16, mx.bfloat16].filter((d) => !o.dtypes || o.dtypes.includes(d.name)) : [];
  for (const shapeless of [false, true]) {
    for (const d of compiledDtypes) for (const b of ["cpu", ...o.backends.filter((x) => x !== "cpu")]) results.push(await runCompiledGraphs(d, b, o.graphs, o.seed, shapeless));
  }
  // the array API's special-value rules: binding on the reference, shown as deviations elsewhere
  const names = o.ops.map((e) => e.name);
  for (const b of ["cpu", ...o.backends.filter((x) => x !== "cpu")]) results.push(...(await runSpecialCases(b as mx.BackendName, names)));
  o.onCell?.(total, total, "done");
  return results;
}
