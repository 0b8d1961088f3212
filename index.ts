// The package entry: registers the backends this build carries (cpu always)
// and re-exports the front end. `import * as mx from "mlx-ts"`.

import "./backends/cpu/index.js";

export * from "./src/index.js";
