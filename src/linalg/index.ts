// mx.linalg: MLX's linear-algebra namespace. Factorizations and solvers
// computed by the cpu reference in float64 with stable algorithms; see each
// function for the streams it runs on.
export * from "./cholesky.js";
export * from "./eigh.js";
export * from "./svd.js";
export * from "./tri-inv.js";
export * from "./inv.js";
export * from "./solve.js";
export * from "./cholesky-inv.js";
export * from "./norm.js";
export * from "./qr.js";
export * from "./det.js";
export * from "./lu.js";
export * from "./pinv.js";
export * from "./cross.js";
export * from "./eig.js";
