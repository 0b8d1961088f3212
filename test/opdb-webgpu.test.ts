// The op database on webgpu: every entry, for every dtype it takes, against
// the cpu reference, a few generated cases each (the other backends and the
// NumPy check: test/opdb.test.ts). On lavapipe most of its time goes to
// compiling each kernel variant once, so it has a file of its own that CI's
// two workers can run beside the other.

import { describe, it } from "vitest";
import { OPS } from "../conformance/opdb.js";
import { runCell } from "../conformance/runner.js";
import { BACKENDS } from "./helpers/backends.js";
import { expectHolds, RUNS, SEED } from "./helpers/opdb-cells.js";

const webgpu = BACKENDS.find((b) => b.device.backend === "webgpu");

describe.skipIf(webgpu === undefined)(`op database on ${webgpu?.name ?? "webgpu (not available)"} against the cpu reference`, () => {
  for (const entry of OPS) {
    it(`${entry.name} (${entry.dtypes.map((d) => d.name).join(", ")})`, async () => {
      for (const d of entry.dtypes) expectHolds(await runCell(entry, d, webgpu!.device.backend, RUNS, SEED));
    });
  }
});
