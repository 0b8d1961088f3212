// mx.importFunction (MLX's import_function): a function file read back as a
// function of arrays that builds, on each call, the lazy graph of the trace
// whose inputs match the call's (so grad, vmap and compile apply to it).

import type { MxArray } from "../array.js";
import { cpu, defaultDevice, defaultStream, deviceFor, type Stream } from "../device.js";
import { dtypeFromName, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { findBackend, type BackendName } from "../../backends/backend.js";
import { arrayFromBytes } from "../io/convert.js";
import { fileError, withFile } from "../io/source.js";
import { checkOptions } from "../ops/strict-options.js";
import { opStream, type OpOptions } from "../ops/base.js";
import { readFunctionFile } from "./function-file.js";
import { callInputs, flatInputs, inputsRecord, takes, traceText } from "./inputs.js";
import { ReplayableTrace } from "./trace-record.js";

/** An imported function: takes inputs as the exported one did, returns its outputs as a list (as MLX's returns a tuple). */
export type ImportedFunction = (...inputs: (MxArray | readonly MxArray[] | Readonly<Record<string, MxArray>>)[]) => MxArray[];

export interface ImportOptions extends OpOptions {
  /** Also return the metadata string the file was exported with. */
  returnMetadata?: boolean | undefined;
}

/** Where a constant exported from `backend` loads: there when it is available and holds `dtype`, else the default device, else the cpu. */
function homeOf(backend: string, dtype: DType): Stream {
  const held = (name: string) => !!findBackend(name)?.capabilities.dtypes.has(dtype);
  if (held(backend)) return defaultStream(deviceFor(backend as BackendName));
  const home = defaultStream(defaultDevice());
  return held(home.device.backend) ? home : defaultStream(cpu);
}

/**
 * The function in `file`, written by `mx.exportFunction` or `mx.exporter`
 * (MLX's `mx.import_function`). Calls take inputs as the exported function
 * did (arrays, then optionally an object of named arrays) and return its
 * outputs as a list; a call runs the trace whose input dtypes and shapes
 * (ranks, for a shapeless file) match, and is an error listing the traces
 * when none does. Captured arrays load on `stream` when given, else on the
 * device they were exported from where it is available and holds their dtype,
 * else on the default device (or the cpu); each node runs where ops would
 * place it, or on the device it was given when exported. With
 * `returnMetadata`, returns `[fn, metadata]`.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "f.mlxfn");
 * await mx.exportFunction(file, (x: mx.MxArray, { y }: { y: mx.MxArray }) => mx.add(x, y), mx.zeros([2]), { y: mx.zeros([2]) }, { metadata: "v1" });
 * const [f, metadata] = mx.importFunction(file, { returnMetadata: true });
 * await f(mx.ones([2]), { y: mx.ones([2]) })[0]!.tolist(); // [2, 2]
 * metadata; // "v1"
 * ```
 */
export function importFunction(file: string, options: ImportOptions & { returnMetadata: true }): [ImportedFunction, string];
/**
 * The function in `file` (see the signature with `returnMetadata` above).
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "f.mlxfn");
 * await mx.exportFunction(file, (x: mx.MxArray) => mx.square(x), mx.zeros([2], mx.int32));
 * await mx.importFunction(file)(mx.array([3, 4]))[0]!.tolist(); // [9, 16]
 * ```
 */
export function importFunction(file: string, options?: ImportOptions): ImportedFunction;
export function importFunction(file: string, options?: ImportOptions): ImportedFunction | [ImportedFunction, string] {
  const op = "importFunction";
  checkOptions(op, options, ["returnMetadata"]);
  const chosen = options?.stream !== undefined ? opStream(op, options) : undefined;
  const withMetadata = options?.returnMetadata ?? false;
  if (typeof withMetadata !== "boolean") throw opError(op, `returnMetadata must be a boolean, got ${describeValue(withMetadata)}`, [], "type");
  const [traces, shapeless, metadata, label] = withFile(op, file, (src) => {
    const { header, constantBytes } = readFunctionFile(op, src);
    const bad = (what: string) => fileError(op, src.label, `not a valid mlx-ts function file: ${what}`);
    const constants = header.constants.map((c, i) => {
      const dtype = dtypeFromName(c.dtype);
      const stream = chosen ?? homeOf(c.device, dtype);
      return arrayFromBytes(constantBytes(i), dtype, c.shape, { op, label: src.label, what: `constant ${i}`, stream });
    });
    const replayable = header.traces.map((t) => new ReplayableTrace(t, constants, header.shapeless, bad));
    return [replayable, header.shapeless, header.metadata, src.label] as const;
  });
  const fn: ImportedFunction = (...args) => {
    const c = callInputs(op, args);
    const signature = inputsRecord(c);
    const trace = traces.find((t) => takes(t.record, signature, shapeless));
    if (!trace) {
      const held = traces.map((t) => `  ${traceText(t.record, shapeless)}`).join("\n");
      throw opError(op, `the function of '${label}' has no trace for inputs ${traceText(signature, false)}; it was exported for:\n${held}`, [], "value");
    }
    return trace.replay(flatInputs(c));
  };
  return withMetadata ? [fn, metadata] : fn;
}
