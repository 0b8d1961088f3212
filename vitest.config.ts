// Test configuration: forked workers with --expose-gc (the memory-release
// tests force collections), and a global setup that reports which backends
// the suite runs on and which were skipped, with the reason.

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    execArgv: ["--expose-gc"],
    globalSetup: ["test/helpers/report-backends.ts"],
    setupFiles: ["test/helpers/fast-check-seed.ts"],
    // lavapipe compiles each kernel variant on first use: the heaviest cases (quantized
    // matrix-vector widths, every scan dtype) take 40-60 s on the 2-core CI machine
    testTimeout: 120_000,
  },
});
