// The .npy format (NumPy's, as MLX's mx.save/mx.load read and write it): a
// magic string, a version, a Python-dict header giving descr, fortran_order
// and shape, then the elements. bfloat16 is '<V2', as MLX writes it.

import type { MxArray } from "../array.js";
import { ALL_DTYPES, bfloat16, type DType } from "../dtype.js";
import type { Stream } from "../device.js";
import * as ops from "../ops/index.js";
import { arrayFromBytes, swapBytes } from "./convert.js";
import { fileError, type ByteSource } from "./source.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The NumPy type code of a dtype: kind letter and item size (bfloat16 is MLX's 'V2'). */
function kindCode(d: DType): string {
  if (d === bfloat16) return "V2";
  const kind = { bool: "b", uint: "u", int: "i", float: "f", complex: "c" }[d.kind];
  return `${kind}${d.size}`;
}

/** NumPy's descr of a dtype ('<f4', '|u1', '<V2'). */
export function descrOf(d: DType): string {
  return `${d.size > 1 ? "<" : "|"}${kindCode(d)}`;
}

const BY_CODE = new Map(ALL_DTYPES.map((d) => [kindCode(d), d]));

/** The header of an .npy file for an array of `dtype` and `shape`, padded so the data starts at a multiple of 64 bytes. */
export function npyHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  const dict = `{'descr': '${descrOf(dtype)}', 'fortran_order': False, 'shape': (${dims}), }`;
  const v1 = dict.length + 1 + 10 <= 0xffff;
  const prefix = v1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const text = dict + " ".repeat(total - prefix - dict.length - 1) + "\n";
  const out = new Uint8Array(total);
  out.set(MAGIC);
  out[6] = v1 ? 1 : 2;
  const view = new DataView(out.buffer);
  if (v1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  return out;
}

interface NpyHeader {
  dtype: DType;
  bigEndian: boolean;
  fortran: boolean;
  shape: number[];
  dataOffset: number;
}

/** A value of the header dict: a string, True/False, or a tuple (its items as written). */
type HeaderValue = { kind: "string"; text: string } | { kind: "bool"; value: boolean } | { kind: "tuple"; items: string[] };

const HEADER_KEYS = ["descr", "fortran_order", "shape"] as const;

/**
 * The entries of the Python dict literal `text` of an .npy header, as NumPy's
 * reader requires them: exactly the keys descr, fortran_order and shape, each
 * once (a duplicate, an unknown or a missing key is an error, where Python's
 * dict would keep the last of two), values that are string literals,
 * True/False or tuples of integers, and only whitespace after the dict.
 */
function headerEntries(text: string, fail: (m: string) => Error): Record<(typeof HEADER_KEYS)[number], HeaderValue> {
  const quoted = JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
  const bad = (what: string) => fail(`the .npy header is not a Python dict of descr, fortran_order and shape: ${what} in ${quoted}`);
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const expect = (c: string, what: string) => {
    space();
    if (text[i] !== c) throw bad(`expected ${what} at character ${i}`);
    i++;
  };
  const str = (): string | undefined => {
    const q = text[i];
    if (q !== "'" && q !== '"') return undefined;
    const end = text.indexOf(q, i + 1);
    if (end < 0) throw bad(`a string at character ${i} is not closed`);
    const v = text.slice(i + 1, end);
    if (v.includes("\\")) throw bad(`a string at character ${i} has an escape`);
    i = end + 1;
    return v;
  };
  const value = (key: string): HeaderValue => {
    space();
    const s = str();
    if (s !== undefined) return { kind: "string", text: s };
    for (const [word, v] of [["True", true], ["False", false]] as const) {
      if (text.startsWith(word, i) && !/\w/.test(text[i + word.length] ?? "")) {
        i += word.length;
        return { kind: "bool", value: v };
      }
    }
    if (text[i] === "(") {
      const end = text.indexOf(")", i);
      if (end < 0) throw bad(`the tuple of '${key}' is not closed`);
      const inner = text.slice(i + 1, end);
      i = end + 1;
      const items = inner.split(",").map((t) => t.trim());
      // (), (3,) and (2, 3): an empty item only after a trailing comma, or as the whole of ()
      if (items.at(-1) === "") items.pop();
      if (items.some((t) => t === "")) throw bad(`the tuple of '${key}' (${inner}) has an empty item`);
      return { kind: "tuple", items };
    }
    throw bad(`the value of '${key}' at character ${i} is not a string, True, False or a tuple`);
  };
  const found = new Map<string, HeaderValue>();
  expect("{", "'{'");
  space();
  while (text[i] !== "}") {
    const at = i;
    const key = str();
    if (key === undefined) throw bad(`expected a quoted key or '}' at character ${at}`);
    if (found.has(key)) throw fail(`the .npy header has the key '${key}' twice (NumPy would keep the last; the file is corrupt)`);
    if (!(HEADER_KEYS as readonly string[]).includes(key)) throw fail(`the .npy header has a key '${key}' that is not descr, fortran_order or shape (as NumPy, the header must hold exactly these three)`);
    expect(":", "':'");
    found.set(key, value(key));
    space();
    if (text[i] === ",") {
      i++;
      space();
    } else if (text[i] !== "}") throw bad(`expected ',' or '}' at character ${i}`);
  }
  i++;
  space();
  if (i < text.length) throw bad(`characters after the dict at character ${i}`);
  const missing = HEADER_KEYS.filter((k) => !found.has(k));
  if (missing.length) throw fail(`the .npy header lacks the key${missing.length > 1 ? "s" : ""} ${missing.map((k) => `'${k}'`).join(", ")} (it must hold descr, fortran_order and shape): ${quoted}`);
  return Object.fromEntries(found) as Record<(typeof HEADER_KEYS)[number], HeaderValue>;
}

/** Parses the header of an .npy file at `offset` of `src`. */
function parseHeader(op: string, src: ByteSource): NpyHeader {
  const fail = (m: string) => fileError(op, src.label, m);
  const pre = src.read(0, 8, "the .npy magic string and version");
  if (MAGIC.some((b, i) => pre[i] !== b)) throw fail("not an .npy file (its magic string is not \\x93NUMPY)");
  const major = pre[6]!;
  if (major < 1 || major > 3) throw fail(`unsupported .npy format version ${major}.${pre[7]}`);
  const lenBytes = src.read(8, major === 1 ? 2 : 4, "the .npy header length");
  const view = new DataView(lenBytes.buffer, lenBytes.byteOffset, lenBytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(0, true) : view.getUint32(0, true);
  const start = 8 + lenBytes.length;
  if (start + headerLen > src.size) throw fail(`the .npy header says it is ${headerLen} bytes long but the file has ${src.size - start} bytes after it; the file is truncated or corrupt`);
  const raw = src.read(start, headerLen, "the .npy header");
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(raw);
  const entries = headerEntries(text, fail);
  const { descr: d, fortran_order: f, shape: sh } = entries;
  if (d.kind !== "string") throw fail(`the .npy header's descr is not a string (a structured dtype?): mlx-ts reads bool, integers of 1-8 bytes, float16/32/64, bfloat16 as '<V2' and complex64`);
  if (f.kind !== "bool") throw fail(`the .npy header's fortran_order is not True or False`);
  if (sh.kind !== "tuple") throw fail(`the .npy header's shape is not a tuple`);
  const descr = d.text;
  const shapeText = sh.items.join(", ");
  const m = /^([<>|=]?)([a-zA-Z]\d+)$/.exec(descr);
  const dtype = m ? BY_CODE.get(m[2]!) : undefined;
  if (!m || !dtype) throw fail(`unsupported .npy dtype '${descr}' (mlx-ts reads bool, integers of 1-8 bytes, float16/32/64, bfloat16 as '<V2' and complex64)`);
  const shape = sh.items.map((s) => {
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(n) || n >= 2 ** 31) throw fail(`the .npy shape (${shapeText}) has a dimension '${s}' that is not an integer in [0, 2^31)`);
    return n;
  });
  return { dtype, bigEndian: m[1] === ">", fortran: f.value, shape, dataOffset: start + headerLen };
}

/** The array stored in an .npy source (a file, or an entry of an .npz). */
export function readNpy(op: string, src: ByteSource, stream?: Stream): MxArray {
  const h = parseHeader(op, src);
  const count = h.shape.reduce((a, b) => a * b, 1);
  const nbytes = count * h.dtype.size;
  if (h.dataOffset + nbytes > src.size) {
    throw fileError(op, src.label, `the header gives shape (${h.shape.join(", ")}) of ${h.dtype.name}, ${nbytes} bytes, but the file holds ${src.size - h.dataOffset} bytes of data; the file is truncated or corrupt`);
  }
  const bytes = src.read(h.dataOffset, nbytes, "the .npy data").slice();
  if (h.bigEndian) swapBytes(bytes, h.dtype.kind === "complex" ? 4 : h.dtype.size);
  const shape = h.fortran ? [...h.shape].reverse() : h.shape;
  const a = arrayFromBytes(bytes, h.dtype, shape, { op, label: src.label, what: "the array", stream });
  return h.fortran && shape.length > 1 ? ops.transpose(a, undefined, stream ? { stream } : undefined) : a;
}
