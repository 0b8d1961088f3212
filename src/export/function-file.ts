// The file mx.exportFunction writes: a magic line, the length of a JSON
// header (little-endian u64), the header (traces, constants' dtypes, shapes
// and byte ranges), then the constants' bytes. Reading checks every field
// and range, and says so when the file is one of MLX's own .mlxfn files.

import { dtypeFromName, type DType } from "../dtype.js";
import { describeValue } from "../errors.js";
import type { ByteSource } from "../io/source.js";
import { BOMB_NOTE, firstOverlap, overlapText } from "../io/ranges.js";
import { fileError } from "../io/source.js";
import type { EncodedPrimitive } from "./primitive-codec.js";

const MAGIC = "mlx-ts function\n";
export const FORMAT_VERSION = 1;

export interface SpecRecord {
  dtype: string;
  shape: number[];
}

export interface ConstantRecord extends SpecRecord {
  /** The backend it lived on when exported. */
  device: string;
  /** Byte range in the data that follows the header. */
  offset: number;
  length: number;
}

export interface NodeRecord {
  primitive: EncodedPrimitive;
  /** Slots: the trace's inputs, then its constants, then each node's outputs in order. */
  inputs: number[];
  /** The backend it was given explicitly, or null: placed as ops are (the default device, or where its inputs live). */
  device: string | null;
  outputs: SpecRecord[];
  /** Built as sibling outputs of one kernel call. */
  multi: boolean;
}

export interface TraceRecord {
  /** Inputs passed by position; the keyword inputs follow them, sorted by name. */
  positional: number;
  keywords: string[];
  inputs: SpecRecord[];
  /** Indices into the file's constants. */
  constants: number[];
  nodes: NodeRecord[];
  outputs: number[];
}

export interface FunctionFileHeader {
  format: "mlx-ts function";
  version: number;
  shapeless: boolean;
  metadata: string;
  constants: ConstantRecord[];
  traces: TraceRecord[];
}

/** The file's bytes: magic, header length, header, then `data` (the constants' bytes, at their offsets). */
export function functionFilePieces(header: FunctionFileHeader, data: readonly Uint8Array[]): Uint8Array[] {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
  return [new TextEncoder().encode(MAGIC), length, json, ...data];
}

/** The header of a function file and a reader of its constants' bytes. */
export interface FunctionFile {
  header: FunctionFileHeader;
  constantBytes(i: number): Uint8Array;
}

/** MLX's .mlxfn files start with the length of MLX's version string (a u64) and the string ("0.29.1"). */
function mlxVersion(src: ByteSource): string | undefined {
  if (src.size < 9) return undefined;
  const n = Number(new DataView(src.read(0, 8, "the first bytes").slice().buffer).getBigUint64(0, true));
  if (n < 1 || n > 32 || src.size < 8 + n) return undefined;
  const v = new TextDecoder().decode(src.read(8, n, "MLX's version"));
  return /^\d+\.\d+\.\d+/.test(v) ? v : undefined;
}

/** Reads and checks a function file; every error names `op` and the file. */
export function readFunctionFile(op: string, src: ByteSource): FunctionFile {
  const bad = (what: string) => fileError(op, src.label, `not a valid mlx-ts function file: ${what}`);
  if (src.size < MAGIC.length + 8 || new TextDecoder().decode(src.read(0, MAGIC.length, "the magic line")) !== MAGIC) {
    const mlx = mlxVersion(src);
    if (mlx) {
      throw fileError(op, src.label, `this is a function file of MLX ${mlx} (written by MLX's export_function); mlx-ts reads the files mx.exportFunction writes, as MLX's graphs are made of MLX's C++ primitives`);
    }
    throw bad("it does not start with the line 'mlx-ts function'");
  }
  const lengthBytes = src.read(MAGIC.length, 8, "the header's length").slice();
  const length = new DataView(lengthBytes.buffer).getBigUint64(0, true);
  const headerAt = MAGIC.length + 8;
  if (length > BigInt(src.size - headerAt)) throw bad(`its header's length (${length} bytes) runs past the end of the file (${src.size} bytes)`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(src.read(headerAt, Number(length), "the header")));
  } catch (e) {
    throw bad(`its header is not JSON (${(e as Error).message})`);
  }
  const dataAt = headerAt + Number(length);
  const header = checkHeader(raw, bad, src.size - dataAt);
  return { header, constantBytes: (i) => src.read(dataAt + header.constants[i]!.offset, header.constants[i]!.length, `constant ${i}`) };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function checkSpec(v: unknown, what: string, bad: (w: string) => Error): SpecRecord & { dtypeOf: DType; numel: number } {
  if (!isObject(v) || typeof v.dtype !== "string" || !Array.isArray(v.shape) || !v.shape.every(isCount)) throw bad(`${what} is not a dtype and a shape: ${describeValue(v)}`);
  let dtypeOf: DType;
  try {
    dtypeOf = dtypeFromName(v.dtype);
  } catch {
    throw bad(`${what} has an unknown dtype '${v.dtype}'`);
  }
  const numel = (v.shape as number[]).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(numel)) throw bad(`${what} has too many elements (${(v.shape as number[]).join("x")})`);
  return { dtype: v.dtype, shape: v.shape as number[], dtypeOf, numel };
}

function checkHeader(raw: unknown, bad: (w: string) => Error, dataBytes: number): FunctionFileHeader {
  if (!isObject(raw) || raw.format !== "mlx-ts function") throw bad("its header does not say format 'mlx-ts function'");
  if (raw.version !== FORMAT_VERSION) throw bad(`it is version ${describeValue(raw.version)} of the format; this mlx-ts reads version ${FORMAT_VERSION}`);
  if (typeof raw.shapeless !== "boolean" || typeof raw.metadata !== "string") throw bad("its header lacks shapeless (a boolean) or metadata (a string)");
  if (!Array.isArray(raw.constants) || !Array.isArray(raw.traces) || raw.traces.length === 0) throw bad("its header lacks constants or traces");
  const constants = raw.constants.map((c: unknown, i: number) => {
    const s = checkSpec(c, `constant ${i}`, bad);
    const { offset, length, device } = c as Record<string, unknown>;
    if (typeof device !== "string") throw bad(`constant ${i} does not name its device`);
    const { numel } = s;
    if (!isCount(offset) || !isCount(length) || offset + length > dataBytes) throw bad(`constant ${i}'s bytes lie outside the file's data`);
    if (length !== numel * s.dtypeOf.size) throw bad(`constant ${i} holds ${length} bytes, not the ${numel * s.dtypeOf.size} of ${s.dtype} [${s.shape.join(", ")}]`);
    return { dtype: s.dtype, shape: s.shape, device, offset, length };
  });
  const shared = firstOverlap(constants.map((c, i) => ({ what: `constant ${i}`, start: c.offset, end: c.offset + c.length })));
  if (shared) throw bad(`${overlapText(shared)} of the data; ${BOMB_NOTE}`);
  const traces = raw.traces.map((t: unknown, i: number) => checkTrace(t, `trace ${i}`, bad, constants.length));
  return { format: "mlx-ts function", version: FORMAT_VERSION, shapeless: raw.shapeless, metadata: raw.metadata, constants, traces };
}

function checkTrace(t: unknown, what: string, bad: (w: string) => Error, constantCount: number): TraceRecord {
  if (!isObject(t)) throw bad(`${what} is not an object`);
  const { positional, keywords, inputs, constants, nodes, outputs } = t;
  if (!isCount(positional) || !Array.isArray(keywords) || !keywords.every((k) => typeof k === "string") || !Array.isArray(inputs) || inputs.length !== positional + keywords.length) {
    throw bad(`${what}'s inputs do not match its positional count and keyword names`);
  }
  const specs = inputs.map((s, j) => checkSpec(s, `${what}'s input ${j}`, bad));
  if (!Array.isArray(constants) || !constants.every((c) => isCount(c) && c < constantCount)) throw bad(`${what} names constants the file lacks`);
  if (!Array.isArray(nodes) || !Array.isArray(outputs)) throw bad(`${what} lacks nodes or outputs`);
  let slots = inputs.length + constants.length;
  const checked = nodes.map((n: unknown, j: number): NodeRecord => {
    if (!isObject(n) || !Array.isArray(n.inputs) || !n.inputs.every((s) => isCount(s) && s < slots) || !Array.isArray(n.outputs) || n.outputs.length === 0) {
      throw bad(`${what}'s node ${j} does not read earlier values and write at least one output`);
    }
    if (!(n.device === null || typeof n.device === "string") || typeof n.multi !== "boolean" || !isObject(n.primitive)) throw bad(`${what}'s node ${j} lacks its device, multi flag or primitive`);
    const outs = n.outputs.map((s, k) => checkSpec(s, `${what}'s node ${j} output ${k}`, bad));
    slots += outs.length;
    return { primitive: n.primitive as unknown as EncodedPrimitive, inputs: n.inputs as number[], device: n.device, multi: n.multi, outputs: outs.map(({ dtype, shape }) => ({ dtype, shape })) };
  });
  if (outputs.length === 0 || !outputs.every((s) => isCount(s) && s < slots)) throw bad(`${what}'s outputs are not values of the trace`);
  return {
    positional,
    keywords: keywords as string[],
    inputs: specs.map(({ dtype, shape }) => ({ dtype, shape })),
    constants: constants as number[],
    nodes: checked,
    outputs: outputs as number[],
  };
}
