// One conformance cell as a fast-check property: run generated cases, gather
// the statistics of the cases run before any failure (ulp errors into the
// histogram, the worst element relative to what its contract allows there,
// outside-spec differences), and on a failure rerun the shrunk counterexample
// for its message and reproduction, with the seed and path that replay it.

import fc from "fast-check";
import { ulpBin } from "./numerics.js";

/** What a contract allows at one element. */
export interface Bound {
  /** The allowed distance from the reference there, in ulps of the output dtype (Infinity: any overflow is allowed). */
  ulps: number;
  /** The contract in a few words, e.g. "43 f32 ulp + 2 ulp rounding" or "exact". */
  rule: string;
}

/** One output element compared with the reference. */
export interface ElementError {
  got: unknown;
  want: unknown;
  ulps: number;
  /** The inputs it read (elementwise ops). */
  inputs?: (number | boolean)[];
  /** In a random graph: the node that produced it, e.g. "v4 = sum(v3)". */
  node?: string;
}

/** An element's error as a fraction of what its contract allows there: 0 exact, 1 at the bound, above 1 a failure. */
export function relativeToBound(ulps: number, bound: Bound): number {
  if (ulps === 0 || bound.ulps === Infinity) return 0;
  return bound.ulps > 0 ? ulps / bound.ulps : Infinity;
}

/** Whether element `a` is nearer its bound than `b` (ties: the larger ulp error). */
export function nearerBound(a: ElementError & { bound: Bound }, b: ElementError & { bound: Bound }): boolean {
  const ra = relativeToBound(a.ulps, a.bound), rb = relativeToBound(b.ulps, b.bound);
  return ra > rb || (ra === rb && a.ulps > b.ulps);
}

/** What one case of a cell produced. */
export interface RunOutcome {
  /** The case was discarded (the reference refused it, a dtype the backend lacks). */
  skipped?: string;
  /** Set when an in-contract element broke the contract. */
  failure?: string;
  /** ulp distances of the in-contract float elements. */
  ulps: number[];
  /** Elements outside the contract whose value differs from the reference (allowed). */
  outsideDiffer: number;
  /** The element nearest its bound (relative to what the contract allows there), with that allowance. */
  worst?: ElementError & { bound: Bound };
  /** The TS reproduction of the case. */
  repro: string;
}

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
  /** The element nearest its bound over the cases run, and the reproduction of its case. */
  worst?: ElementError & { repro: string };
  /** What the contract allowed at the worst element, and the contract in a few words. */
  bound?: Bound;
  outsideDiffer: number;
  /** ulp errors of the compared elements, binned (numerics.ts ulpBin). */
  histogram: number[];
  failure?: { message: string; repro: string; seed: number; path: string };
}

export function newCell(op: string, dtype: string, backend: string): CellResult {
  return { op, dtype, backend, status: "pass", runs: 0, skipped: 0, elements: 0, outsideDiffer: 0, histogram: new Array(25).fill(0) };
}

/**
 * Fills `cell` from `runs` cases of `arb` judged by `run`; `title` heads the
 * reproduction. A primitive the backend lacks makes the cell n/a.
 */
export async function checkCell<T>(cell: CellResult, arb: fc.Arbitrary<T>, run: (c: T) => Promise<RunOutcome>, runs: number, seed: number, title: string): Promise<CellResult> {
  const all: number[] = [];
  let shrinking = false;
  const details = await fc.check(
    fc.asyncProperty(arb, async (c) => {
      const out = await run(c);
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
        if (out.worst && (!cell.worst || nearerBound(out.worst, { ...cell.worst, bound: cell.bound! }))) {
          const { bound, ...element } = out.worst;
          cell.worst = { ...element, repro: out.repro };
          cell.bound = bound;
        }
      }
      if (out.failure) {
        shrinking = true;
        throw new Error(out.failure);
      }
    }),
    { numRuns: runs, seed, endOnFailure: false, maxSkipsPerRun: 10 },
  );
  cell.elements = all.length;
  if (all.length) {
    all.sort((a, b) => a - b);
    cell.maxUlp = all[all.length - 1];
    cell.p99Ulp = all[Math.min(all.length - 1, Math.floor(0.99 * all.length))];
  }
  if (!details.failed) return cell;
  const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  if (/is not implemented on backend/.test(message)) return { ...cell, status: "n/a", reason: message };
  const minimal = details.counterexample ? await run(details.counterexample[0]) : undefined;
  const why = minimal?.failure ?? message;
  cell.status = "fail";
  cell.failure = {
    message: why,
    repro: `// ${title}: ${why}\n// fast-check seed ${details.seed}, path "${details.counterexamplePath}"\nimport * as mx from "mlx-ts";\n${minimal?.repro ?? ""}`,
    seed: details.seed,
    path: details.counterexamplePath ?? "",
  };
  return cell;
}
