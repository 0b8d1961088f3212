// The conformance run: for every op entry x dtype x backend, a fast-check
// property over generated cases (runCase), shrunk to a minimal failing case
// with its seed and path, plus per-cell statistics (max and p99 ulp error,
// the worst element, outside-spec differences); the cpu reference's own
// cells against NumPy; random graphs; and the array API's special-value
// rules. Cells a backend cannot run are n/a with the reason.

import fc from "fast-check";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { runCase, entryContract, describeContract, type CaseOutcome } from "./check.js";
import { checkGraph, graphArb, type GraphOutcome } from "./graphs.js";
import { runNumpyCell, type NumpyProcess } from "./numpy.js";
import { ulpBin } from "./numerics.js";
import { runSpecialCases } from "./special-cases.js";
import type { OpEntry } from "./opdb.js";

/** The pseudo-backend of the cells that check the cpu reference against NumPy. */
const NUMPY = "cpu vs numpy";

export interface CellResult {
  op: string;
  dtype: string;
  backend: string;
  status: "pass" | "fail" | "n/a";
  reason?: string;
  contract?: string;
  /** Cases run (not counting shrinking) and discarded. */
  runs: number;
  skipped: number;
  /** Float outputs compared inside the contract. */
  elements: number;
  maxUlp?: number;
  p99Ulp?: number;
  /** The element farthest from the reference: its value, the reference's, the inputs it read (elementwise ops) and its case. */
  worst?: { got: unknown; want: unknown; ulps: number; inputs?: (number | boolean)[]; repro: string };
  outsideDiffer: number;
  /** ulp errors of the compared elements, binned (bin k holds errors in [2^(k-1), 2^k), bin 0 exact). */
  histogram: number[];
  failure?: { message: string; repro: string; seed: number; path: string };
}

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
  const cell: CellResult = { op: entry.name, dtype: dtype.name, backend, status: "pass", runs: 0, skipped: 0, elements: 0, outsideDiffer: 0, histogram: new Array(25).fill(0) };
  const b = getBackend(backend as "cpu");
  if (!b.capabilities.dtypes.has(dtype)) return { ...cell, status: "n/a", reason: `${dtype.name} not supported on ${b.displayName}` };
  if (backend === "cpu") return { ...cell, status: "n/a", reason: "the reference itself" };
  cell.contract = describeContract(entryContract(entry, backend));
  const all: number[] = [];
  let shrinking = false;
  let last: CaseOutcome | undefined;
  const details = await fc.check(
    fc.asyncProperty(entry.cases(dtype), async (c) => {
      const out = await runCase(entry, backend, c);
      last = out;
      if (out.skipped) {
        if (!shrinking) cell.skipped++;
        if (/not implemented on backend/.test(out.skipped)) throw new Error(out.skipped);
        fc.pre(false);
      }
      if (!shrinking) {
        cell.runs++;
        cell.outsideDiffer += out.outsideDiffer;
        for (const u of out.ulps) {
          all.push(u);
          cell.histogram[ulpBin(u)]!++;
        }
        if (out.worst && (!cell.worst || out.worst.ulps > cell.worst.ulps)) cell.worst = { got: out.worst.got, want: out.worst.want, ulps: out.worst.ulps, inputs: out.worst.inputs, repro: out.repro };
      }
      if (out.failure) {
        shrinking = true;
        throw new Error(out.failure);
      }
    }),
    { numRuns: runs, seed, endOnFailure: false, maxSkipsPerRun: 10 },
  );
  finish(cell, all);
  if (details.failed) {
    const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    const notImplemented = /is not implemented on backend/.test(message);
    if (notImplemented) return { ...cell, status: "n/a", reason: message };
    // `last` holds the outcome of the final (minimal) counterexample fast-check ran
    const minimal = details.counterexample ? await runCase(entry, backend, details.counterexample[0]) : last;
    cell.status = "fail";
    cell.failure = {
      message: minimal?.failure ?? message,
      repro: `// ${entry.name} ${dtype.name} on ${backend}: ${minimal?.failure ?? message}\n// fast-check seed ${details.seed}, path "${details.counterexamplePath}"\nimport * as mx from "mlx-ts";\n${minimal?.repro ?? ""}`,
      seed: details.seed,
      path: details.counterexamplePath ?? "",
    };
  }
  return cell;
}

/** `runs` random graphs of `dtype` on `backend`, each node judged given the backend's own inputs to it. */
export async function runGraphs(dtype: mx.DType, backend: string, runs: number, seed: number): Promise<CellResult> {
  const cell: CellResult = { op: "random graphs", dtype: dtype.name, backend, status: "pass", runs: 0, skipped: 0, elements: 0, outsideDiffer: 0, histogram: new Array(25).fill(0) };
  const b = getBackend(backend as "cpu");
  if (!b.capabilities.dtypes.has(dtype)) return { ...cell, status: "n/a", reason: `${dtype.name} not supported on ${b.displayName}` };
  cell.contract = "each node within its own op's contract, given the backend's inputs to it";
  const all: number[] = [];
  let shrinking = false;
  let lastFailure: GraphOutcome["failure"];
  const details = await fc.check(
    fc.asyncProperty(graphArb(dtype), async (g) => {
      const out = await checkGraph(g, backend);
      if (!shrinking) {
        cell.runs++;
        cell.outsideDiffer += out.outsideDiffer;
        for (const u of out.ulps) {
          all.push(u);
          cell.histogram[ulpBin(u)]!++;
        }
      }
      if (out.failure) {
        shrinking = true;
        lastFailure = out.failure;
        throw new Error(`node v${out.failure.node} (${out.failure.op}) leaves its contract given its own inputs: ${out.failure.outcome.failure}`);
      }
    }),
    { numRuns: runs, seed, endOnFailure: false },
  );
  finish(cell, all);
  if (details.failed) {
    const f = details.counterexample ? (await checkGraph(details.counterexample[0], backend)).failure ?? lastFailure : lastFailure;
    const message = f ? `node v${f.node} (${f.op}) leaves its contract given its own inputs: ${f.outcome.failure}` : String(details.errorInstance);
    cell.status = "fail";
    cell.failure = {
      message,
      repro: `// random graph of ${dtype.name} on ${backend}: ${message}
// fast-check seed ${details.seed}, path "${details.counterexamplePath}"
import * as mx from "mlx-ts";
// the graph:
${f?.graph ?? ""}
// the failing node alone, on the backend's inputs to it:
${f?.outcome.repro ?? ""}`,
      seed: details.seed,
      path: details.counterexamplePath ?? "",
    };
  }
  return cell;
}

function finish(cell: CellResult, all: number[]): void {
  cell.elements = all.length;
  if (all.length) {
    all.sort((a, b) => a - b);
    cell.maxUlp = all[all.length - 1];
    cell.p99Ulp = all[Math.min(all.length - 1, Math.floor(0.99 * all.length))];
  }
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
  // the array API's special-value rules: binding on the reference, shown as deviations elsewhere
  const names = o.ops.map((e) => e.name);
  for (const b of ["cpu", ...o.backends.filter((x) => x !== "cpu")]) results.push(...(await runSpecialCases(b as mx.BackendName, names)));
  o.onCell?.(total, total, "done");
  return results;
}
