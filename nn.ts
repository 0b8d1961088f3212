// The `mlx-ts/nn` entry: mx.nn alone for users who import it by itself, with
// the backends registered as the package entry registers them.
// `import * as nn from "mlx-ts/nn"`.

import "./index.js";

export * from "./src/nn/index.js";
