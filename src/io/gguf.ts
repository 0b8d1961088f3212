// The GGUF format (llama.cpp's) as MLX reads and writes it: metadata
// key-values, then tensor infos (dimensions innermost first) and aligned
// tensor data. F32, F16, I8, I16, I32 load as they are, Q4_0, Q4_1 and
// Q8_0 as MLX's quantized triple (weight, scales, biases), the K-quants as
// float16 (gguf-kquants.ts); others are an error.

import type { MxArray } from "../array.js";
import { bool, bfloat16, float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, type DType } from "../dtype.js";
import type { Stream } from "../device.js";
import { describeValue, opError } from "../errors.js";
import { MxArray as ArrayClass } from "../array.js";
import { f16FromNumber, f16ToNumber } from "../half.js";
import { arrayBytes, arrayFromBytes } from "./convert.js";
import { dequantizeK, K_BLOCK_WEIGHTS, K_QUANTS } from "./gguf-kquants.js";
import { BOMB_NOTE, firstOverlap, overlapText } from "./ranges.js";
import { fileError, type ByteSource } from "./source.js";
import { namedArrays, outputPath, writePieces } from "./write.js";

/** A GGUF metadata value as MLX gives it: an array (0-d for a scalar), a string, or a list of strings. */
export type GgufMetadataValue = MxArray | string | string[];

// metadata value types
const VT = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 } as const;
/** The dtype a fixed-size metadata value type loads as (FLOAT64 as float32, as MLX). */
const VT_DTYPE: Record<number, [DType, number]> = {
  0: [uint8, 1], 1: [int8, 1], 2: [uint16, 2], 3: [int16, 2], 4: [uint32, 4], 5: [int32, 4], 6: [float32, 4], 7: [bool, 1],
  10: [uint64, 8], 11: [int64, 8], 12: [float64, 8],
};
const DTYPE_VT = new Map<DType, number>([[float32, VT.F32], [int64, VT.I64], [int32, VT.I32], [int16, VT.I16], [int8, VT.I8], [uint64, VT.U64], [uint32, VT.U32], [uint16, VT.U16], [uint8, VT.U8], [bool, VT.BOOL]]);

// tensor types (ggml's numbering)
const TT_NAMES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1", 10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K",
  16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16",
};
/** Tensor types stored as plain elements: the dtype they load as. */
const PLAIN: Record<number, DType> = { 0: float32, 1: float16, 24: int8, 25: int16, 26: int32, 27: int64, 28: float64, 30: bfloat16 };
/** The quantized types MLX loads: bytes per block of 32 weights, and bits per weight. */
const QUANT: Record<number, { block: number; bits: number }> = { 2: { block: 18, bits: 4 }, 3: { block: 20, bits: 4 }, 8: { block: 34, bits: 8 } };
const SAVE_TT = new Map<DType, number>([[float32, 0], [float16, 1], [int8, 24], [int16, 25], [int32, 26]]);

/** Reads a GGUF source front to back through a window of buffered bytes. */
class Cursor {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufAt = 0;
  constructor(
    private readonly op: string,
    private readonly src: ByteSource,
  ) {}
  bytes(n: number, what: string): Uint8Array {
    if (this.pos < this.bufAt || this.pos + n > this.bufAt + this.buf.length) {
      const want = Math.max(n, Math.min(1 << 20, this.src.size - this.pos));
      this.buf = this.src.read(this.pos, want, what);
      this.bufAt = this.pos;
    }
    const at = this.pos - this.bufAt;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }
  private view(n: number, what: string): DataView {
    const b = this.bytes(n, what);
    return new DataView(b.buffer, b.byteOffset, n);
  }
  u32(what: string): number {
    return this.view(4, what).getUint32(0, true);
  }
  u64(what: string): number {
    const v = this.view(8, what).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fileError(this.op, this.src.label, `${what} is ${v}, past any file`);
    return Number(v);
  }
  string(what: string): string {
    const n = this.u64(`the length of ${what}`);
    return new TextDecoder().decode(this.bytes(n, what));
  }
}

/** The dtype a metadata value loads as: FLOAT64 becomes float32, as in MLX. */
const loadedAs = (d: DType) => (d === float64 ? float32 : d);

/** The bytes of metadata elements of dtype `d` as `loadedAs(d)` holds them (float64 rounded to float32 on the host). */
function asLoaded(d: DType, bytes: Uint8Array): Uint8Array {
  if (d !== float64) return bytes.slice();
  const f64 = new Float64Array(bytes.slice().buffer);
  return new Uint8Array(Float32Array.from(f64).buffer);
}

function readValue(op: string, c: Cursor, src: ByteSource, type: number, key: string, stream?: Stream): GgufMetadataValue {
  const fail = (m: string) => fileError(op, src.label, m);
  const fixed = VT_DTYPE[type];
  if (fixed) {
    const [d, size] = fixed;
    return arrayFromBytes(asLoaded(d, c.bytes(size, `metadata '${key}'`)), loadedAs(d), [], { op, label: src.label, what: `metadata '${key}'`, stream });
  }
  if (type === VT.STRING) return c.string(`metadata '${key}'`);
  if (type !== VT.ARRAY) throw fail(`metadata '${key}' has unknown value type ${type}`);
  const elType = c.u32(`the element type of metadata '${key}'`);
  const len = c.u64(`the length of metadata '${key}'`);
  if (elType === VT.STRING) {
    const out: string[] = [];
    for (let i = 0; i < len; i++) out.push(c.string(`metadata '${key}'[${i}]`));
    return out;
  }
  const el = VT_DTYPE[elType];
  if (!el) throw fail(elType === VT.ARRAY ? `metadata '${key}' nests arrays, which MLX does not load` : `metadata '${key}' has unknown element type ${elType}`);
  if (len * el[1] > src.size - c.pos) throw fail(`metadata '${key}' holds ${len} elements, past the end of the file`);
  return arrayFromBytes(asLoaded(el[0], c.bytes(len * el[1], `metadata '${key}'`)), loadedAs(el[0]), [len], { op, label: src.label, what: `metadata '${key}'`, stream });
}

/** Unpacks Q4_0/Q4_1/Q8_0 blocks into MLX's quantization (32-weight groups): packed uint32 weights, float16 scales and biases. */
function dequantLayout(type: number, data: Uint8Array, blocks: number): { w: Uint8Array; scales: Uint16Array; biases: Uint16Array } {
  const { block, bits } = QUANT[type]!;
  const w = new Uint8Array((blocks * 32 * bits) / 8);
  const scales = new Uint16Array(blocks), biases = new Uint16Array(blocks);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < blocks; i++) {
    const at = i * block;
    const scale = view.getUint16(at, true);
    scales[i] = scale;
    if (type === 8) {
      for (let j = 0; j < 32; j++) w[i * 32 + j] = data[at + 2 + j]! ^ 0x80;
      biases[i] = mulHalf(scale, -128);
    } else {
      const q = at + (type === 3 ? 4 : 2);
      biases[i] = type === 3 ? view.getUint16(at + 2, true) : mulHalf(scale, -8);
      // ggml keeps weight j in the low nibble and j + 16 in the high nibble of byte j; MLX packs weight k at nibble k
      for (let j = 0; j < 16; j++) {
        const lo = data[q + j]! & 0xf, hi = data[q + j]! >> 4;
        const a = i * 16 + (j >> 1), b = a + 8;
        w[a] = w[a]! | (j & 1 ? lo << 4 : lo);
        w[b] = w[b]! | (j & 1 ? hi << 4 : hi);
      }
    }
  }
  return { w, scales, biases };
}

/** A float16 bit pattern times a power of two (-8, -128), exact unless it overflows: MLX computes the bias in float16. */
const mulHalf = (bits: number, by: number) => f16FromNumber(f16ToNumber(bits) * by);

/** The tensors and the metadata of a GGUF source. */
export function readGguf(op: string, src: ByteSource, stream?: Stream): [Record<string, MxArray>, Record<string, GgufMetadataValue>] {
  const fail = (m: string) => fileError(op, src.label, m);
  const c = new Cursor(op, src);
  if (new TextDecoder().decode(c.bytes(4, "the GGUF magic")) !== "GGUF") throw fail("not a GGUF file (no GGUF magic)");
  const version = c.u32("the GGUF version");
  if (version < 2 || version > 3) throw fail(`unsupported GGUF version ${version} (2 and 3 are read)`);
  const nTensors = c.u64("the tensor count");
  const nKv = c.u64("the metadata count");
  const metadata: [string, GgufMetadataValue][] = [];
  let alignment = 32;
  for (let i = 0; i < nKv; i++) {
    const key = c.string(`metadata key ${i}`);
    const type = c.u32(`the type of metadata '${key}'`);
    if (key === "general.alignment" && type === VT.U32) {
      const at = c.pos;
      alignment = c.u32("general.alignment");
      c.pos = at;
      if (alignment < 1 || alignment > 2 ** 20) throw fail(`general.alignment is ${alignment}`);
    }
    const value = readValue(op, c, src, type, key, stream);
    metadata.push([key, value]);
  }
  const infos: { name: string; shape: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.string(`tensor name ${i}`);
    const nd = c.u32(`the dimension count of tensor '${name}'`);
    if (nd > 8) throw fail(`tensor '${name}' has ${nd} dimensions`);
    const dims: number[] = [];
    for (let d = 0; d < nd; d++) dims.push(c.u64(`dimension ${d} of tensor '${name}'`));
    if (dims.some((d) => d >= 2 ** 31)) throw fail(`tensor '${name}' has a dimension past 2^31`);
    const type = c.u32(`the type of tensor '${name}'`);
    infos.push({ name, shape: dims.reverse(), type, offset: c.u64(`the offset of tensor '${name}'`) });
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  const site = { op, label: src.label, stream };
  const arrays: [string, MxArray][] = [];
  const put = (name: string, a: MxArray) => {
    if (arrays.some(([k]) => k === name)) throw fail(`duplicate tensor name '${name}' (this can happen when loading quantized tensors)`);
    arrays.push([name, a]);
  };
  const ranges = infos.map((t) => {
    const plain = PLAIN[t.type], quant = QUANT[t.type], kQuant = K_QUANTS[t.type];
    if (!plain && !quant && !kQuant) throw fail(`tensor '${t.name}' has type ${TT_NAMES[t.type] ?? t.type}, which mlx-ts does not load (F32, F16, BF16, F64, I8-I64, Q4_0, Q4_1, Q8_0 and Q2_K-Q6_K load)`);
    const group = kQuant ? K_BLOCK_WEIGHTS : 32;
    if (!plain && (t.shape.length === 0 || t.shape[t.shape.length - 1]! % group !== 0)) throw fail(`tensor '${t.name}' (${TT_NAMES[t.type]}) has a last dimension of ${t.shape.at(-1)}, not a multiple of ${group}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    const nbytes = plain ? count * plain.size : (count / group) * (quant ?? kQuant)!.block;
    if (dataStart + t.offset + nbytes > src.size) throw fail(`tensor '${t.name}' (data offsets ${t.offset} to ${t.offset + nbytes}) extends past the end of the file; perhaps an incomplete download or a corrupt file`);
    return { what: `tensor '${t.name}'`, start: t.offset, end: t.offset + nbytes };
  });
  // every tensor is checked before any is read: tensors sharing bytes would load a small file as gigabytes
  const shared = firstOverlap(ranges);
  if (shared) throw fail(`${overlapText(shared)} (data offsets); ${BOMB_NOTE}`);
  infos.forEach((t, i) => {
    const plain = PLAIN[t.type], quant = QUANT[t.type];
    const count = t.shape.reduce((a, b) => a * b, 1);
    const bytes = src.read(dataStart + ranges[i]!.start, ranges[i]!.end - ranges[i]!.start, `the data of tensor '${t.name}'`);
    if (plain) {
      put(t.name, arrayFromBytes(bytes, plain, t.shape, { ...site, what: `tensor '${t.name}'` }));
      return;
    }
    if (!quant) {
      put(t.name, arrayFromBytes(new Uint8Array(dequantizeK(t.type, bytes, count / K_BLOCK_WEIGHTS).buffer), float16, t.shape, { ...site, what: `tensor '${t.name}'` }));
      return;
    }
    const { w, scales, biases } = dequantLayout(t.type, bytes, count / 32);
    const last = t.shape.length - 1;
    const wShape = t.shape.map((d, i) => (i === last ? (d * quant!.bits) / 32 : d));
    const sShape = t.shape.map((d, i) => (i === last ? d / 32 : d));
    const prefix = t.name.endsWith(".weight") ? t.name.slice(0, -".weight".length) : t.name;
    const at = { ...site, what: `tensor '${t.name}'` };
    put(t.name, arrayFromBytes(w, uint32, wShape, at));
    put(`${prefix}.scales`, arrayFromBytes(new Uint8Array(scales.buffer), float16, sShape, at));
    put(`${prefix}.biases`, arrayFromBytes(new Uint8Array(biases.buffer), float16, sShape, at));
  });
  return [Object.fromEntries(arrays), Object.fromEntries(metadata)];
}

const u32b = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};
const u64b = (v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
};
const strb = (s: string) => {
  const t = new TextEncoder().encode(s);
  return [u64b(t.length), t];
};

/**
 * Saves named arrays (float32, float16, int8, int16 or int32, as MLX) and
 * metadata (strings, lists of strings, and 0-d or 1-d arrays) to `file` in
 * the GGUF format (MLX's `mx.save_gguf`; ".gguf" is appended to a name
 * without it).
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "m.gguf");
 * await mx.saveGguf(file, { "w.weight": mx.ones([2, 3]) }, { "general.name": "tiny", n: mx.array(3, mx.uint32) });
 * const [arrays, meta] = mx.loadGguf(file);
 * arrays["w.weight"]!.shape; // [2, 3]
 * meta["general.name"]; // "tiny"
 * ```
 */
export async function saveGguf(file: string, arrays: Record<string, MxArray>, metadata: Record<string, GgufMetadataValue> = {}): Promise<void> {
  const op = "saveGguf";
  const path = outputPath(op, file, ".gguf");
  if (Array.isArray(arrays)) throw opError(op, "arrays must be an object of named arrays, got a JS array", [], "type");
  const named = namedArrays(op, arrays);
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) throw opError(op, `metadata must be an object, got ${describeValue(metadata)}`, [], "type");
  const head: Uint8Array[] = [new TextEncoder().encode("GGUF"), u32b(3), u64b(named.length), u64b(Object.keys(metadata).length)];
  for (const [k, v] of Object.entries(metadata)) {
    head.push(...strb(k));
    if (typeof v === "string") head.push(u32b(VT.STRING), ...strb(v));
    else if (Array.isArray(v)) {
      v.forEach((s: unknown, i) => {
        if (typeof s !== "string") throw opError(op, `metadata '${k}'[${i}] must be a string, got ${describeValue(s)}`, [], "type");
      });
      head.push(u32b(VT.ARRAY), u32b(VT.STRING), u64b(v.length), ...v.flatMap(strb));
    } else if (v instanceof ArrayClass && !v.isDisposed) {
      const vt = DTYPE_VT.get(v.dtype);
      if (vt === undefined) throw opError(op, `metadata '${k}' has dtype ${v.dtype.name}, which GGUF metadata does not hold`, [], "type");
      if (v.ndim > 1 || v.size === 0) throw opError(op, `metadata '${k}' must be a 0-d or a non-empty 1-d array, got shape (${v.shape.join(", ")})`, [], "value");
      const bytes = await arrayBytes(v);
      head.push(...(v.ndim === 1 ? [u32b(VT.ARRAY), u32b(vt), u64b(v.size)] : [u32b(vt)]), bytes);
    } else throw opError(op, `metadata '${k}' must be a string, a list of strings or an array, got ${describeValue(v)}`, [], "type");
  }
  const data: Uint8Array[] = [];
  let offset = 0;
  for (const [k, a] of named) {
    const tt = SAVE_TT.get(a.dtype);
    if (tt === undefined) throw opError(op, `arrays '${k}' has dtype ${a.dtype.name}, which MLX does not save to GGUF (float32, float16, int8, int16, int32)`, [], "type");
    const pad = (32 - (offset % 32)) % 32;
    if (pad) data.push(new Uint8Array(pad));
    offset += pad;
    head.push(...strb(k), u32b(a.ndim), ...[...a.shape].reverse().map(u64b), u32b(tt), u64b(offset));
    const bytes = await arrayBytes(a);
    data.push(bytes);
    offset += bytes.length;
  }
  const headLen = head.reduce((s, b) => s + b.length, 0);
  writePieces(op, path, [...head, new Uint8Array((32 - (headLen % 32)) % 32), ...data]);
}
