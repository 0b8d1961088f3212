// What the op database's test files share: the cases each cell runs, the
// seed, and the check that a cell held (a failure throws its message and
// reproduction; n/a only for the reasons the runner gives).

import { expect, it } from "vitest";
import { OPS } from "../../conformance/opdb.js";
import { runCell, type CellResult } from "../../conformance/runner.js";

/** Cases a cell runs (the conformance run's default is 20). */
export const RUNS = 6;
export const SEED = 20261125;

export function expectHolds(cell: CellResult): void {
  if (cell.status === "fail") throw new Error(`${cell.failure!.message}\n${cell.failure!.repro}`);
  if (cell.status === "n/a") expect(cell.reason).toMatch(/not supported on|NumPy has no|not sent to NumPy|not implemented on backend/);
}

/**
 * A test per op database entry and dtype on `backend` against the cpu
 * reference: each cell has the whole test timeout, and a failure names its
 * dtype (on lavapipe with a cold shader cache, webgpu's round of all twelve
 * real dtypes in one test once took 116 s).
 */
export function opCellTests(backend: string): void {
  for (const entry of OPS) {
    for (const d of entry.dtypes) it(`${entry.name} (${d.name})`, async () => expectHolds(await runCell(entry, d, backend, RUNS, SEED)));
  }
}
