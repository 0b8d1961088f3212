// The browser entry: registers the cpu reference and webgpu on the browser's
// `navigator.gpu` (awaited here once; no metal, no Node APIs) and re-exports
// the same front end as index.ts. Bundled by scripts/build-browser.mjs into
// dist/browser/mlx-ts.js: `import * as mx from "mlx-ts/browser"`.

import "./backends/cpu/index.js";
import { registerBrowserWebGpu } from "./backends/webgpu/browser.js";

await registerBrowserWebGpu();

export * from "./src/index.js";
export { checkNumerics, type CheckNumericsOptions, type OutputNumerics, type BackendNumerics, type ElementError } from "./conformance/check-numerics.js";
export { setValidation, getValidation } from "./conformance/validate.js";
