// The package entry: registers the backends this build carries (cpu always;
// webgpu when Dawn starts, awaited here once) and re-exports the front end.
// `import * as mx from "mlx-ts"`.

import "./backends/cpu/index.js";
import { registerWebGpu } from "./backends/webgpu/index.js";

await registerWebGpu();

export * from "./src/index.js";
