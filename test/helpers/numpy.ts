// NumPy's side of the tests that check against it: one python3 run that reads
// JSON on stdin and prints JSON, and describe/it that skip where NumPy is
// missing (saying why once), unless MLX_TS_REQUIRE_NUMPY=1 (CI): then they run and fail, naming what is missing.

import { execFileSync } from "node:child_process";
import { describe, it } from "vitest";
import { PYTHON, numpyUnavailable } from "../../conformance/numpy.js";

/** Why NumPy cannot answer here, or undefined where it can. */
export const NUMPY_MISSING = numpyUnavailable();
const skip = NUMPY_MISSING !== undefined && process.env.MLX_TS_REQUIRE_NUMPY !== "1";
if (skip) console.warn(`skipping the tests that check against NumPy: ${NUMPY_MISSING}`);

/** describe, skipped where NumPy is missing and not required. */
export const describeWithNumpy: ReturnType<typeof describe.skipIf> = describe.skipIf(skip);
/** it, skipped where NumPy is missing and not required. */
export const itWithNumpy: ReturnType<typeof it.skipIf> = it.skipIf(skip);

/** Runs a Python script (`-c` source, or a file's path with `file: true`) with `input` as JSON on stdin, and returns what it prints, trimmed. */
export function pythonOutput(script: string, input?: unknown, opts: { file?: boolean } = {}): string {
  if (NUMPY_MISSING) throw new Error(`NumPy is needed here: ${NUMPY_MISSING}`);
  return execFileSync(PYTHON, opts.file ? [script] : ["-c", script], { input: input === undefined ? "" : JSON.stringify(input), encoding: "utf8", maxBuffer: 1 << 28 }).trim();
}

/** pythonOutput's JSON, parsed. */
export function runPython<T>(script: string, input?: unknown, opts: { file?: boolean } = {}): T {
  return JSON.parse(pythonOutput(script, input, opts)) as T;
}

/** `answer()` (computed at load, as module-level expectations are), or undefined where NumPy is missing and not required (its tests skip: they read it as `answers!`); where it is required and missing, answer() throws naming it. */
export function numpyAnswers<T>(answer: () => T): T | undefined {
  return skip ? undefined : answer();
}
