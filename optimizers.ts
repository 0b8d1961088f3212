// The `mlx-ts/optimizers` entry: mx.optimizers alone for users who import it
// by itself, with the backends registered as the package entry registers them.
// `import * as optim from "mlx-ts/optimizers"`.

import "./index.js";

export * from "./src/optimizers/index.js";
