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
    testTimeout: 60_000,
  },
});
