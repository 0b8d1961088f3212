// The safetensors format as MLX reads and writes it: an 8-byte header
// length, a JSON header (dtype, shape and data offsets per tensor, string
// metadata under "__metadata__", null when there is none), then the tensors' bytes.

import type { MxArray } from "../array.js";
import { bool, bfloat16, complex64, float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, type DType } from "../dtype.js";
import type { Stream } from "../device.js";
import { describeValue, opError } from "../errors.js";
import { arrayBytes, arrayFromBytes } from "./convert.js";
import { fileError, type ByteSource } from "./source.js";
import { namedArrays, outputPath, writePieces } from "./write.js";

/** MLX's safetensors dtype codes (C64 is MLX's own; the F8 types load as their uint8 bytes, as MLX loads them). */
const CODES: [string, DType][] = [
  ["BOOL", bool], ["U8", uint8], ["I8", int8], ["U16", uint16], ["I16", int16], ["U32", uint32], ["I32", int32],
  ["U64", uint64], ["I64", int64], ["F16", float16], ["BF16", bfloat16], ["F32", float32], ["F64", float64], ["C64", complex64],
];
const READ_ONLY: [string, DType][] = [["F8_E4M3", uint8], ["F8_E8M0", uint8]];
const FROM_CODE = new Map([...CODES, ...READ_ONLY]);
const TO_CODE = new Map(CODES.map(([c, d]) => [d, c]));

/** The longest JSON header read (the limit of the reference safetensors implementation, and MLX's). */
const MAX_HEADER = 100_000_000;

/**
 * Saves named arrays and string metadata to `file` in the safetensors
 * format (MLX's `mx.save_safetensors`; ".safetensors" is appended to a name
 * without it). Every dtype has a code: MLX's (complex64 is MLX's "C64"),
 * and float64 as the format's "F64", which MLX itself neither writes nor reads.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "model.safetensors");
 * await mx.saveSafetensors(file, { w: mx.ones([2, 2], mx.bfloat16) }, { format: "mlx" });
 * const [weights, metadata] = mx.loadSafetensors(file);
 * weights.w!.dtype.name; // "bfloat16"
 * metadata; // { format: "mlx" }
 * ```
 */
export async function saveSafetensors(file: string, arrays: Record<string, MxArray>, metadata: Record<string, string> = {}): Promise<void> {
  const op = "saveSafetensors";
  const path = outputPath(op, file, ".safetensors");
  if (Array.isArray(arrays)) throw opError(op, "arrays must be an object of named arrays, got a JS array", [], "type");
  const named = namedArrays(op, arrays);
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) throw opError(op, `metadata must be an object of strings, got ${describeValue(metadata)}`, [], "type");
  for (const [k, v] of Object.entries(metadata)) if (typeof v !== "string") throw opError(op, `metadata '${k}' must be a string, got ${describeValue(v)}`, [], "type");
  const header: Record<string, unknown> = { __metadata__: metadata };
  const data: Uint8Array[] = [];
  let offset = 0;
  for (const [k, a] of named) {
    if (k === "__metadata__") throw opError(op, "arrays may not be named '__metadata__' (the header's metadata key)", [], "value");
    const bytes = await arrayBytes(a);
    Object.defineProperty(header, k, { value: { dtype: TO_CODE.get(a.dtype), shape: [...a.shape], data_offsets: [offset, offset + bytes.length] }, enumerable: true });
    data.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + json.length) % 8)) % 8);
  const text = new TextEncoder().encode(json);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(text.length), true);
  writePieces(op, path, [len, text, ...data]);
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks that the tensors index the data buffer as the format requires (and
 * the reference implementation checks): in order of their offsets each starts
 * where the one before ends, from 0 to the end of the file, so no byte is read
 * twice (overlapping tensors would make a file bomb) and none is left over.
 */
function checkLayout(fail: (m: string) => Error, tensors: readonly { name: string; start: number; end: number }[], dataBytes: number): void {
  const sorted = [...tensors].sort((a, b) => a.start - b.start || a.end - b.end);
  let at = 0;
  let before: { name: string; start: number; end: number } | undefined;
  for (const t of sorted) {
    if (t.start < at && t.end === t.start) throw fail(`the empty tensor '${t.name}' has data offset ${t.start}, inside tensor '${before!.name}' (${before!.start} to ${before!.end}); safetensors holds the tensors back to back, so the file is corrupt`);
    if (t.start < at) {
      throw fail(`tensors '${before!.name}' (data offsets ${before!.start} to ${before!.end}) and '${t.name}' (${t.start} to ${t.end}) overlap; safetensors gives each byte of the data to one tensor, so the file is corrupt or a file bomb (tensors reading the same bytes to load as far more data than the file holds)`);
    }
    if (t.start > at) {
      throw fail(`tensor '${t.name}' starts at data offset ${t.start} but ${before ? `tensor '${before.name}' ends at ${at}` : "the data starts at 0"}; safetensors holds the tensors back to back, without holes, so the file is corrupt`);
    }
    at = t.end;
    if (t.end > t.start) before = t;
  }
  if (at !== dataBytes) throw fail(`the tensors end at data offset ${at} but the file holds ${dataBytes} bytes of data after the header; safetensors indexes the whole data buffer, so the file is corrupt`);
}

/** The arrays and the metadata of a safetensors source. */
export function readSafetensors(op: string, src: ByteSource, stream?: Stream): [Record<string, MxArray>, Record<string, string>] {
  const fail = (m: string) => fileError(op, src.label, m);
  const lenBytes = src.read(0, 8, "the safetensors header length");
  const headerLen = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLen === 0n || headerLen >= BigInt(MAX_HEADER)) throw fail(`invalid safetensors JSON header length ${headerLen} (it must be in [1, ${MAX_HEADER}))`);
  const n = Number(headerLen);
  if (8 + n > src.size) throw fail(`the JSON header is ${n} bytes long but the file is only ${src.size} bytes; perhaps an incomplete download or a corrupt file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(src.read(8, n, "the safetensors header")));
  } catch (e) {
    throw fail(`the safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw fail("the safetensors header is not a JSON object");
  const dataStart = 8 + n;
  const tensors: { name: string; dtype: DType; shape: number[]; start: number; end: number }[] = [];
  let metadata: [string, string][] = [];
  for (const [k, v] of Object.entries(header)) {
    if (k === "__metadata__") {
      if (v === null) continue; // no metadata, as MLX writes it (and Hugging Face's reader takes it)
      if (typeof v !== "object" || Array.isArray(v)) throw fail("__metadata__ is not an object of strings (or null)");
      metadata = Object.entries(v).map(([mk, mv]) => {
        if (typeof mv !== "string") throw fail(`metadata '${mk}' is not a string`);
        return [mk, mv];
      });
      continue;
    }
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (t === null || typeof t !== "object") throw fail(`tensor '${k}' is not described by an object`);
    const dtype = typeof t.dtype === "string" ? FROM_CODE.get(t.dtype) : undefined;
    if (!dtype) throw fail(`tensor '${k}' has unsupported dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => isCount(d) && d < 2 ** 31)) throw fail(`tensor '${k}' has an invalid shape ${JSON.stringify(t.shape)}`);
    const shape = t.shape as number[];
    const offs = t.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount)) throw fail(`tensor '${k}' data_offsets must be two byte offsets, got ${JSON.stringify(offs)}`);
    const [b, e] = offs as [number, number];
    const expected = shape.reduce((s, d) => s * d, dtype.size);
    if (e < b || e - b !== expected) throw fail(`tensor '${k}' has invalid data offsets (${b}, ${e}); expecting ${expected} bytes for shape (${shape.join(", ")}) of ${t.dtype}`);
    if (dataStart + e > src.size) throw fail(`tensor '${k}' has data offsets (${b}, ${e}) past the end of the file; perhaps an incomplete download or a corrupt file`);
    tensors.push({ name: k, dtype, shape, start: b, end: e });
  }
  checkLayout(fail, tensors, src.size - dataStart);
  const arrays = tensors.map(({ name, dtype, shape, start, end }): [string, MxArray] => [
    name,
    arrayFromBytes(src.read(dataStart + start, end - start, `the data of tensor '${name}'`), dtype, shape, { op, label: src.label, what: `tensor '${name}'`, stream }),
  ]);
  return [Object.fromEntries(arrays), Object.fromEntries(metadata)];
}
