// The order test files start in. Vitest starts the files it has no timings
// for largest first, so on CI's fresh checkout the op database's small files,
// among the longest to run, would start last and run alone while the other
// worker idles. Files known to take minutes there start first, in this list's
// order; with timings from an earlier run, vitest's own order holds.

import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Test files over about two minutes on the 2-core CI machine with cold shader caches, longest first (CI log of 2026-12-06). */
export const LONG_FILES = [
  "test/opdb-webgpu.test.ts",
  "test/webgpu-extreme-rows.test.ts",
  "test/webgpu-reduce-keys.test.ts",
  "test/opdb.test.ts",
  "test/compile-reduce.test.ts",
  "test/binary.test.ts",
  "test/webgpu-compact-kernels.test.ts",
  "test/reliability-segments.test.ts",
  "test/memory-bounded.test.ts",
];

export default class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const key = (f: TestSpecification) => `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
    if (sorted.some((f) => this.ctx.cache.getFileTestResults(key(f)) !== undefined)) return sorted;
    const rank = (f: TestSpecification) => {
      const i = LONG_FILES.indexOf(relative(this.ctx.config.root, f.moduleId));
      return i < 0 ? LONG_FILES.length : i;
    };
    // Array.prototype.sort is stable: the other files keep vitest's order
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
