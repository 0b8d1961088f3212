// Error-input entries of the save and load functions (mx.save, mx.savez,
// mx.savezCompressed, mx.saveSafetensors, mx.saveGguf, mx.load,
// mx.loadSafetensors, mx.loadGguf), of mx.exportToDot and of function export
// (mx.exportFunction, mx.exporter, mx.importFunction). Probes run in a
// temporary directory, so a probe that passes a plain name as the file writes there.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mx from "../index.js";
import { npyHeader } from "../src/io/npy.js";
import { zipArchive } from "../src/io/zip.js";
import { FORMAT_VERSION, functionFilePieces } from "../src/export/function-file.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

let dir: string | undefined;
const origin = process.cwd();
/** The probes' directory, made (with one valid file of each format) on first use. */
function workDir(): string {
  if (dir) return dir;
  dir = mkdtempSync(join(tmpdir(), "mlx-ts-error-inputs-"));
  const npy = Buffer.concat([npyHeader(mx.float32, [2]), new Uint8Array(new Float32Array([1, 2]).buffer)]);
  writeFileSync(join(dir, "a.npy"), npy);
  writeFileSync(join(dir, "a.npz"), Buffer.concat(zipArchive("savez", "a.npz", [{ name: "x.npy", chunks: [npy] }], false)));
  const header = Buffer.from(JSON.stringify({ __metadata__: { k: "v" }, x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(join(dir, "a.safetensors"), Buffer.concat([len, header, Buffer.from(new Float32Array([1, 2]).buffer)]));
  const gguf = Buffer.alloc(24);
  gguf.write("GGUF");
  gguf.writeUInt32LE(3, 4); // version 3, no tensors, no metadata
  writeFileSync(join(dir, "a.gguf"), gguf);
  // the identity of one float32 [2] input
  const trace = { positional: 1, keywords: [], inputs: [{ dtype: "float32", shape: [2] }], constants: [], nodes: [], outputs: [0] };
  writeFileSync(join(dir, "a.mlxfn"), Buffer.concat(functionFilePieces({ format: "mlx-ts function", version: FORMAT_VERSION, shapeless: false, metadata: "", constants: [], traces: [trace] }, [])));
  return dir;
}
const at = (name: string) => join(workDir(), name);
/** Calls the function with the probes' directory as the working directory, until `restore`. */
const inWorkDir = (f: (...a: unknown[]) => unknown, args: unknown[]) => {
  process.chdir(workDir());
  return f(...args);
};
const restore = () => process.chdir(origin);
const FILE = arg("any", "file");
const x = () => mx.array([1, 2], mx.float32);
const FN = arg("fn", "fn", "function");
/** A function to export: exp of its first array input (any other inputs ignored). */
const expOfFirst = (...a: unknown[]) => mx.exp(a.find((v): v is mx.MxArray => v instanceof mx.MxArray) ?? mx.zeros([1]));

export const IO_ERROR_ENTRIES: readonly ErrorEntry[] = [
  { name: "save", args: [FILE, arg("array", "a")], valid: () => [at("out"), x()], call: inWorkDir, restore },
  {
    name: "savez",
    args: [FILE, arg("any", "arrays")],
    valid: () => [at("out.npz"), { w: x(), b: mx.array([true]) }],
    call: inWorkDir,
    restore,
    bad: [{ label: "an empty name", args: () => [at("e.npz"), { "": x() }], names: ["arrays"] }],
  },
  { name: "savezCompressed", args: [FILE, arg("any", "arrays")], valid: () => [at("out.npz"), [x()]], call: inWorkDir, restore },
  {
    name: "saveSafetensors",
    args: [FILE, arg("any", "arrays"), arg("any", "metadata")],
    valid: () => [at("out"), { w: x() }, { k: "v" }],
    call: inWorkDir,
    restore,
    bad: [
      { label: "a metadata value that is not a string", args: () => [at("m"), { w: x() }, { k: 1 }], names: ["metadata"] },
      { label: "an array named __metadata__", args: () => [at("m"), { __metadata__: x() }], names: ["arrays"] },
    ],
  },
  {
    name: "saveGguf",
    args: [FILE, arg("any", "arrays"), arg("any", "metadata")],
    valid: () => [at("out"), { w: x() }, { name: "n", tags: ["a"], v: mx.array([1, 2], mx.int32) }],
    call: inWorkDir,
    restore,
    bad: [
      { label: "a dtype GGUF tensors do not hold", args: () => [at("g"), { w: mx.array([1], mx.uint8) }], names: ["arrays"] },
      { label: "a 2-d metadata array", args: () => [at("g"), {}, { v: mx.zeros([2, 2]) }], names: ["metadata"] },
    ],
  },
  {
    name: "load",
    args: [FILE, opts({ format: arg("any", "format"), returnMetadata: arg("bool", "returnMetadata") })],
    valid: () => [at("a.safetensors"), { returnMetadata: true }],
    call: inWorkDir,
    restore,
    bad: [
      { label: "metadata of an .npy file", args: () => [at("a.npy"), { returnMetadata: true }], names: ["returnMetadata"] },
      { label: "a name without an extension", args: () => [at("noext")], names: ["format"] },
      { label: "a file of another format", args: () => [at("a.npy"), { format: "safetensors" }], names: ["safetensors"] },
    ],
  },
  { name: "loadSafetensors", args: [FILE, opts()], valid: () => [at("a.safetensors"), {}], call: inWorkDir, restore },
  {
    name: "exportToDot",
    args: [FILE, arg("any", "outputs")],
    valid: () => [at("g.dot"), mx.add(x(), 1)],
    call: inWorkDir,
    restore,
    bad: [{ label: "a leaf that is not an array", args: () => [at("g.dot"), { y: 1 }], names: ["outputs"] }],
  },
  { name: "loadGguf", args: [FILE, opts()], valid: () => [at("a.gguf"), {}], call: inWorkDir, restore },
  {
    name: "exportFunction",
    args: [FILE, FN, arg("array", "input")],
    valid: () => [at("f.mlxfn"), expOfFirst, x()],
    call: inWorkDir,
    restore,
    bad: [
      { label: "a keyword input that is not an array", args: () => [at("f.mlxfn"), expOfFirst, x(), { y: 1 }], names: ["keyword input"] },
      { label: "metadata for a callback", args: () => [() => undefined, expOfFirst, x(), { metadata: "m" }], names: ["metadata"] },
    ],
  },
  {
    name: "exporter",
    args: [FILE, FN, { kind: "options", names: ["options"], fields: { shapeless: arg("bool", "shapeless"), metadata: arg("any", "metadata") } }],
    valid: () => [at("e.mlxfn"), expOfFirst, {}],
    // the exporter, then one trace through it
    call: (f, args) => (inWorkDir(f, args) as (...a: unknown[]) => unknown)(x()),
    restore,
  },
  {
    name: "importFunction",
    args: [FILE, opts({ returnMetadata: arg("bool", "returnMetadata") })],
    valid: () => [at("a.mlxfn"), {}],
    // the imported function, then one call of it
    call: (f, args) => {
      const r = inWorkDir(f, args);
      return (Array.isArray(r) ? (r[0] as (a: mx.MxArray) => unknown) : (r as (a: mx.MxArray) => unknown))(x());
    },
    restore,
    bad: [{ label: "a file of another format", args: () => [at("a.npy")], names: ["mlx-ts function file"] }],
  },
];
