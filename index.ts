// The package entry: registers the backends this build carries (cpu always;
// webgpu when Dawn starts, awaited here once; metal when its native addon
// loads: Metal on macOS, the MSL execution layer elsewhere) and re-exports the front end
// and the numerics cross-checks (checkNumerics, setValidation / MLX_TS_VALIDATE).
// `import * as mx from "mlx-ts"`.

import "./backends/cpu/index.js";
import { registerWebGpu } from "./backends/webgpu/index.js";
import { registerMetal } from "./backends/metal/index.js";

await registerWebGpu();
registerMetal();

export * from "./src/index.js";
export { checkNumerics, type CheckNumericsOptions, type OutputNumerics, type BackendNumerics, type ElementError } from "./conformance/check-numerics.js";
export { setValidation, getValidation } from "./conformance/validate.js";
