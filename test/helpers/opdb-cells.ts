// What the op database's test files share: the cases each cell runs, the
// seed, and the check that a cell held (a failure throws its message and
// reproduction; n/a only for the reasons the runner gives).

import { expect } from "vitest";
import type { CellResult } from "../../conformance/runner.js";

/** Cases a cell runs (the conformance run's default is 20). */
export const RUNS = 6;
export const SEED = 20261125;

export function expectHolds(cell: CellResult): void {
  if (cell.status === "fail") throw new Error(`${cell.failure!.message}\n${cell.failure!.repro}`);
  if (cell.status === "n/a") expect(cell.reason).toMatch(/not supported on|NumPy has no|not sent to NumPy|not implemented on backend/);
}
