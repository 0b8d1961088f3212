// The op database on webgpu: every entry, for every dtype it takes, against
// the cpu reference, a few generated cases each (the other backends and the
// NumPy check: test/opdb.test.ts). On lavapipe most of its time goes to
// compiling each kernel variant once, so it has a file of its own that CI's
// two workers can run beside the other.

import { describe } from "vitest";
import { BACKENDS } from "./helpers/backends.js";
import { opCellTests } from "./helpers/opdb-cells.js";

const webgpu = BACKENDS.find((b) => b.device.backend === "webgpu");

describe.skipIf(webgpu === undefined)(`op database on ${webgpu?.name ?? "webgpu (not available)"} against the cpu reference`, () => opCellTests(webgpu!.device.backend));
