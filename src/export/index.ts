// Function export (MLX's mx.export_function, mx.exporter, mx.import_function):
// a traced function written to a file with its constants, and read back as a function.

export { exportFunction, exporter, type ExportOptions, type ExportableFn, type FunctionExporter } from "./export-function.js";
export { importFunction, type ImportedFunction, type ImportOptions } from "./import-function.js";
export type { ExportEvent, ExportedValue } from "./export-events.js";
