// mx.load, as MLX's: the format from the file's extension (or `format`),
// dispatched to the .npy, .npz, safetensors and GGUF readers; and the
// format-specific loadSafetensors and loadGguf with precise result types.

import type { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { opStream, type OpOptions } from "../ops/base.js";
import { checkOptions } from "../ops/strict-options.js";
import { readGguf, type GgufMetadataValue } from "./gguf.js";
import { readNpy } from "./npy.js";
import { readNpz } from "./npz.js";
import { readSafetensors } from "./safetensors.js";
import { withFile } from "./source.js";

export type LoadFormat = "npy" | "npz" | "safetensors" | "gguf";

export interface LoadOptions extends OpOptions {
  /** The file's format; by default its extension. */
  format?: LoadFormat | undefined;
  /** Also return the metadata (safetensors and GGUF only), as `[arrays, metadata]`. */
  returnMetadata?: boolean | undefined;
}

/** What `load` returns: an array (.npy), named arrays (.npz, safetensors, GGUF), or with `returnMetadata` the arrays and the metadata. */
export type LoadResult = MxArray | Record<string, MxArray> | [Record<string, MxArray>, Record<string, string | GgufMetadataValue>];

const FORMATS: readonly string[] = ["npy", "npz", "safetensors", "gguf"];

/**
 * Loads arrays from `file` (MLX's `mx.load`): an .npy file gives one array;
 * .npz, .safetensors and .gguf files give an object of named arrays, and
 * with `returnMetadata` (safetensors and GGUF) `[arrays, metadata]`. The
 * format comes from the extension unless `format` says it. Files are read
 * in bounded pieces; a truncated or corrupt file is an error naming the file.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "mx-"));
 * await mx.saveSafetensors(join(dir, "w.safetensors"), { w: mx.arange(3) }, { step: "10" });
 * const [arrays, meta] = mx.load(join(dir, "w.safetensors"), { returnMetadata: true }) as [Record<string, mx.MxArray>, Record<string, string>];
 * await arrays.w!.tolist(); // [0, 1, 2]
 * meta.step; // "10"
 * ```
 */
export function load(file: string, o?: LoadOptions): LoadResult {
  const op = "load";
  checkOptions(op, o, ["format", "returnMetadata"]);
  const stream = opStream(op, o);
  if (typeof file !== "string" || file === "") throw opError(op, `file must be a path (a non-empty string), got ${describeValue(file)}`, [], "type");
  let format: string | undefined = o?.format;
  if (format === undefined) {
    const dot = file.lastIndexOf(".");
    if (dot < 0 || dot < file.lastIndexOf("/")) throw opError(op, `could not infer the format of '${file}' from its extension; pass { format }`, [], "value");
    format = file.slice(dot + 1);
  }
  if (!FORMATS.includes(format)) throw opError(op, `unknown file format ${describeValue(format)} (format must be one of ${FORMATS.join(", ")})`, [], "value");
  const withMeta: unknown = o?.returnMetadata === undefined ? false : o.returnMetadata;
  if (typeof withMeta !== "boolean") throw opError(op, `returnMetadata must be a boolean, got ${describeValue(withMeta)}`, [], "type");
  if (withMeta && (format === "npy" || format === "npz")) throw opError(op, `metadata is not supported for format ${format} (returnMetadata)`, [], "value");
  return withFile(op, file, (src): LoadResult => {
    if (format === "npy") return readNpy(op, src, stream);
    if (format === "npz") return readNpz(op, src, stream);
    const [arrays, meta] = format === "safetensors" ? readSafetensors(op, src, stream) : readGguf(op, src, stream);
    return withMeta ? [arrays, meta] : arrays;
  });
}

/**
 * The arrays and the string metadata of a safetensors file: `load(file, { returnMetadata: true })` with its types.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "a.safetensors");
 * await mx.saveSafetensors(file, { x: mx.array([1.5], mx.float16) });
 * const [arrays, metadata] = mx.loadSafetensors(file);
 * await arrays.x!.tolist(); // [1.5]
 * metadata; // {}
 * ```
 */
export function loadSafetensors(file: string, o?: OpOptions): [Record<string, MxArray>, Record<string, string>] {
  const op = "loadSafetensors";
  checkOptions(op, o);
  const stream = opStream(op, o);
  return withFile(op, file, (src) => readSafetensors(op, src, stream));
}

/**
 * The arrays and the metadata of a GGUF file: `load(file, { returnMetadata: true })` with its types.
 * Q4_0, Q4_1 and Q8_0 tensors load as MLX's quantized triple: `<name>`
 * (packed uint32 weights), `<prefix>.scales` and `<prefix>.biases` (float16,
 * one per 32 weights), for `mx.dequantize` or a quantized layer.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "t.gguf");
 * await mx.saveGguf(file, { t: mx.array([1, 2], mx.int32) }, { tags: ["a", "b"] });
 * const [arrays, meta] = mx.loadGguf(file);
 * await arrays.t!.tolist(); // [1, 2]
 * meta.tags; // ["a", "b"]
 * ```
 */
export function loadGguf(file: string, o?: OpOptions): [Record<string, MxArray>, Record<string, GgufMetadataValue>] {
  const op = "loadGguf";
  checkOptions(op, o);
  const stream = opStream(op, o);
  return withFile(op, file, (src) => readGguf(op, src, stream));
}
