// Test configuration: forked workers with --expose-gc (the memory-release
// tests force collections), one per core (two to eight), and a global
// setup that reports which backends the suite runs on and which were
// skipped, with the reason; the longest files start first.

import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import LongFilesFirst from "./test/helpers/sequencer.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // vitest's default leaves a core free: one worker on the 2-core CI machine. Much of a test file's time
    // is spent waiting (child processes, Chromium, lavapipe's threads, GPU reads), so two workers there
    // halve the suite (1180 s to 607 s)
    maxWorkers: Math.min(8, Math.max(2, availableParallelism())),
    execArgv: ["--expose-gc"],
    globalSetup: ["test/helpers/report-backends.ts"],
    setupFiles: ["test/helpers/fast-check-seed.ts"],
    // the files known to take minutes start first on a fresh checkout, so none runs alone at the end
    sequence: { sequencer: LongFilesFirst },
    // lavapipe compiles each kernel variant on first use: the heaviest cases (quantized
    // matrix-vector widths, every scan dtype) take 40-60 s on the 2-core CI machine
    testTimeout: 120_000,
  },
});
