// What `require("mlx-ts")` gets: mlx-ts is an ES module (its entry starts the
// GPU backends with a top-level await, which CommonJS cannot load), so this
// says how to import it instead of failing with a resolution error.
throw new Error(
  'mlx-ts is an ES module and cannot be loaded with require(). Use `import * as mx from "mlx-ts"` ' +
    '(in a .mjs or .ts file, or with "type": "module" in package.json), or from CommonJS `const mx = await import("mlx-ts")`.',
);
