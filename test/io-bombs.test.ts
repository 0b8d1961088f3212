// File bombs, built byte by byte: safetensors and GGUF tensors, .npz (zip)
// entries and function-file constants that share bytes, and .npz entries
// declaring more than deflate can give or the memory limit allows; each is
// refused naming the function, the file and the entries, while files our
// writers make and valid hand-built ones (zeros that compress well) load.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { npyHeader } from "../src/io/npy.js";
import { crc32 } from "../src/io/zip.js";
import { functionFile } from "./helpers/function-file.js";
import { scratchFiles } from "./helpers/io-files.js";

const { dir, put } = scratchFiles("mlx-ts-bombs-");
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** An error of `op` about `file` whose message goes on with `rest`. */
const about = (op: string, file: string, rest: string) => new RegExp(`^\\[${op}\\] ${esc(file)}: ${rest}`);
const o = { stream: mx.cpu };
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const u64 = (v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
};

// ---- safetensors ----

/** A safetensors file of `tensors` (name: dtype, shape, offsets) over `data` data bytes numbered 0, 1, 2... */
function safetensors(tensors: Record<string, [string, number[], [number, number]]>, data: number): Uint8Array {
  const header = Object.fromEntries(Object.entries(tensors).map(([k, [dtype, shape, offs]]) => [k, { dtype, shape, data_offsets: offs }]));
  const json = new TextEncoder().encode(JSON.stringify(header));
  return cat(u64(json.length), json, Uint8Array.from({ length: data }, (_, i) => i));
}

describe("safetensors: the tensors index the data back to back, as the format and its reference reader require", () => {
  it("tensors sharing their bytes are refused (4 KiB of data loading as 4 MiB), naming both", () => {
    const tensors: Record<string, [string, number[], [number, number]]> = {};
    for (let i = 0; i < 1024; i++) tensors[`t${i}`] = ["F32", [1024], [0, 4096]];
    const f = put(".safetensors", safetensors(tensors, 4096));
    expect(() => mx.load(f)).toThrow(about("load", f, "tensors 't0' \\(data offsets 0 to 4096\\) and 't1' \\(0 to 4096\\) overlap; .*file bomb"));
    expect(() => mx.loadSafetensors(f)).toThrow(about("loadSafetensors", f, "tensors 't0'"));
  });

  it("a tensor starting inside another is refused", () => {
    const f = put(".safetensors", safetensors({ a: ["F32", [4], [0, 16]], b: ["F32", [4], [8, 24]] }, 24));
    expect(() => mx.loadSafetensors(f)).toThrow(about("loadSafetensors", f, "tensors 'a' \\(data offsets 0 to 16\\) and 'b' \\(8 to 24\\) overlap"));
  });

  it("an empty tensor inside another is refused, as the reference reader does", () => {
    const f = put(".safetensors", safetensors({ a: ["F32", [4], [0, 16]], z: ["F32", [0], [8, 8]] }, 16));
    expect(() => mx.load(f)).toThrow(about("load", f, "the empty tensor 'z' has data offset 8, inside tensor 'a' \\(0 to 16\\)"));
  });

  it("holes between tensors, before the first and after the last are refused", () => {
    let f = put(".safetensors", safetensors({ a: ["F32", [4], [0, 16]], b: ["F32", [4], [32, 48]] }, 48));
    expect(() => mx.load(f)).toThrow(about("load", f, "tensor 'b' starts at data offset 32 but tensor 'a' ends at 16; .*without holes"));
    f = put(".safetensors", safetensors({ a: ["U8", [4], [4, 8]] }, 8));
    expect(() => mx.load(f)).toThrow(about("load", f, "tensor 'a' starts at data offset 4 but the data starts at 0"));
    f = put(".safetensors", safetensors({ a: ["U8", [4], [0, 4]] }, 12));
    expect(() => mx.load(f)).toThrow(about("load", f, "the tensors end at data offset 4 but the file holds 12 bytes of data after the header"));
  });

  it("valid files load: offsets in any JSON order, empty tensors at the boundaries, no tensors, and our writer's", async () => {
    let f = put(".safetensors", safetensors({ b: ["U8", [2], [4, 6]], e: ["F32", [0, 3], [6, 6]], a: ["U16", [2], [0, 4]], s: ["U8", [0], [0, 0]] }, 6));
    const st = mx.load(f, o) as Record<string, mx.MxArray>;
    expect(await st.a!.tolist()).toEqual([0x0100, 0x0302]);
    expect(await st.b!.tolist()).toEqual([4, 5]);
    expect(st.e!.shape).toEqual([0, 3]);
    f = put(".safetensors", safetensors({}, 0));
    expect(mx.load(f, o)).toEqual({});
    f = join(dir, "written.safetensors");
    const arrays = { w: mx.zeros([3, 5], mx.bfloat16, o), b: mx.arange(7, { dtype: mx.int64, ...o }), flag: mx.array([true], mx.bool, o), none: mx.zeros([0], mx.float32, o) };
    await mx.saveSafetensors(f, arrays, { format: "mlx" });
    const [loaded, meta] = mx.loadSafetensors(f, o);
    expect(meta).toEqual({ format: "mlx" });
    for (const [k, a] of Object.entries(arrays)) expect(await loaded[k]!.tolist()).toEqual(await a.tolist());
  });
});

// ---- npz (zip) ----

/** A local file header and data of `name`: stored, or `deflated` when given (then `body` is what it inflates to). */
function localFile(name: string, body: Uint8Array, deflate: boolean): { bytes: Uint8Array; crc: number; csize: number; size: number; method: number } {
  const data = deflate ? new Uint8Array(deflateRawSync(body)) : body;
  const n = new TextEncoder().encode(name);
  const h = new DataView(new ArrayBuffer(30));
  h.setUint32(0, 0x04034b50, true);
  h.setUint16(4, 20, true);
  h.setUint16(8, deflate ? 8 : 0, true);
  h.setUint32(14, crc32([body]), true);
  h.setUint32(18, data.length, true);
  h.setUint32(22, body.length, true);
  h.setUint16(26, n.length, true);
  return { bytes: cat(new Uint8Array(h.buffer), n, data), crc: crc32([body]), csize: data.length, size: body.length, method: deflate ? 8 : 0 };
}

interface CdEntry {
  name: string;
  at: number;
  crc: number;
  csize: number;
  size: number;
  method: number;
}

/** A zip of the bytes `body` (local files) followed by a central directory of `entries` and its end record. */
function zipWith(body: Uint8Array, entries: readonly CdEntry[]): Uint8Array {
  const cd = entries.map((e) => {
    const n = new TextEncoder().encode(e.name);
    const h = new DataView(new ArrayBuffer(46));
    h.setUint32(0, 0x02014b50, true);
    h.setUint16(4, 20, true);
    h.setUint16(6, 20, true);
    h.setUint16(10, e.method, true);
    h.setUint32(16, e.crc, true);
    h.setUint32(20, e.csize, true);
    h.setUint32(24, e.size, true);
    h.setUint16(28, n.length, true);
    h.setUint32(42, e.at, true);
    return cat(new Uint8Array(h.buffer), n);
  });
  const cdBytes = cat(...cd);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, cdBytes.length, true);
  end.setUint32(16, body.length, true);
  return cat(body, cdBytes, new Uint8Array(end.buffer));
}

const npy = (dtype: mx.DType, shape: number[], data: Uint8Array) => cat(npyHeader(dtype, shape), data);

/** The offset of the central directory entry of the `i`th entry in a zip of named entries (to patch its fields). */
function cdEntryAt(zip: Uint8Array, i: number): number {
  const v = new DataView(zip.buffer, zip.byteOffset);
  let p = v.getUint32(zip.length - 22 + 16, true);
  for (let k = 0; k < i; k++) p += 46 + v.getUint16(p + 28, true) + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  return p;
}

describe(".npz: zip entries own their bytes, and declare no more than deflate and the memory limit allow", () => {
  it("central directory entries pointing at one local file are refused (the overlapping-entries zip bomb)", () => {
    const kernel = localFile("k.npy", npy(mx.float32, [65536], new Uint8Array(262144)), true);
    const entries = Array.from({ length: 64 }, (_, i) => ({ name: `a${i}.npy`, at: 0, crc: kernel.crc, csize: kernel.csize, size: kernel.size, method: 8 }));
    const bomb = zipWith(kernel.bytes, entries);
    expect(bomb.length).toBeLessThan(8000); // 16 MiB of float32 zeros, declared
    const f = put(".npz", bomb);
    const span = `bytes 0 to ${kernel.bytes.length}`;
    expect(() => mx.load(f, o)).toThrow(about("load", f, `zip entry 'a0.npy' \\(${span}\\) and zip entry 'a1.npy' \\(${span}\\) share bytes; .*file bomb`));
  });

  it("an entry whose data quotes the next entry's local file is refused (the entries overlap without sharing a start)", () => {
    const inner = localFile("b.npy", npy(mx.uint8, [16], new Uint8Array(16).fill(7)), false);
    const outerBody = npy(mx.uint8, [inner.bytes.length], inner.bytes);
    const outer = localFile("a.npy", outerBody, false);
    const innerAt = 30 + "a.npy".length + npyHeader(mx.uint8, [inner.bytes.length]).length;
    const f = put(".npz", zipWith(outer.bytes, [
      { name: "a.npy", at: 0, crc: outer.crc, csize: outer.csize, size: outer.size, method: 0 },
      { name: "b.npy", at: innerAt, crc: inner.crc, csize: inner.csize, size: inner.size, method: 0 },
    ]));
    expect(() => mx.load(f, o)).toThrow(about("load", f, `zip entry 'a.npy' \\(bytes 0 to ${outer.bytes.length}\\) and zip entry 'b.npy' \\(bytes ${innerAt} to ${innerAt + inner.bytes.length}\\) share bytes`));
  });

  it("an entry running into the central directory is refused", async () => {
    const f0 = join(dir, "one.npz");
    await mx.savez(f0, { a: mx.ones([4], mx.float32, o) });
    const zip = new Uint8Array(readFileSync(f0));
    const v = new DataView(zip.buffer);
    const at = cdEntryAt(zip, 0);
    v.setUint32(at + 20, v.getUint32(at + 20, true) + 8, true);
    v.setUint32(at + 24, v.getUint32(at + 24, true) + 8, true);
    const f = put(".npz", zip);
    expect(() => mx.load(f, o)).toThrow(about("load", f, "zip entry 'a.npy' \\(bytes 0 to \\d+\\) and the central directory \\(bytes \\d+ to \\d+\\) share bytes"));
  });

  it("a deflated entry declaring more than 1032 bytes per compressed byte is refused before inflating", async () => {
    const f0 = join(dir, "z.npz");
    await mx.savezCompressed(f0, { z: mx.zeros([4096], mx.float32, o) });
    const zip = new Uint8Array(readFileSync(f0));
    const v = new DataView(zip.buffer);
    const at = cdEntryAt(zip, 0);
    const csize = v.getUint32(at + 20, true);
    v.setUint32(at + 24, 1033 * csize, true);
    const f = put(".npz", zip);
    expect(() => mx.load(f, o)).toThrow(about("load", f, `zip entry 'z.npy' declares ${1033 * csize} bytes inflated from ${csize}, past the 1032:1 that deflate can reach`));
  });

  it("a stream inflating past its declared size stops there, an error", async () => {
    const f0 = join(dir, "y.npz");
    await mx.savezCompressed(f0, { y: mx.zeros([4096], mx.float32, o) });
    const zip = new Uint8Array(readFileSync(f0));
    const v = new DataView(zip.buffer);
    v.setUint32(cdEntryAt(zip, 0) + 24, 1000, true);
    const f = put(".npz", zip);
    expect(() => mx.load(f, o)).toThrow(about("load", f, "zip entry 'y.npy': the deflated data is corrupt or inflates past its declared 1000 bytes"));
  });

  it("a stored entry declaring another size than it stores is refused", () => {
    const e = localFile("s.npy", npy(mx.uint8, [4], new Uint8Array(4)), false);
    const f = put(".npz", zipWith(e.bytes, [{ name: "s.npy", at: 0, crc: e.crc, csize: e.csize, size: e.size + 1000, method: 0 }]));
    expect(() => mx.load(f, o)).toThrow(about("load", f, `zip entry 's.npy' is stored \\(not compressed\\) but declares ${e.size + 1000} bytes from ${e.csize}`));
  });

  it("entries declaring more than the backend has left under its memory limit are refused before inflating", async () => {
    const f = join(dir, "zeros.npz");
    await mx.savezCompressed(f, { a: mx.zeros([2 ** 19], mx.float32, o), b: mx.zeros([2 ** 19], mx.float32, o) }); // 4 MiB declared
    const cpu = getBackend("cpu");
    const active = cpu.memory().active;
    const prev = cpu.setMemoryLimit!(active + 2 ** 21);
    try {
      expect(() => mx.load(f, o)).toThrow(about("load", f, "the archive's entries declare \\d+ bytes, more than the \\d+ bytes backend '.*' has left under its memory limit .*mx.setMemoryLimit"));
    } finally {
      cpu.setMemoryLimit!(prev);
    }
    const loaded = mx.load(f, o) as Record<string, mx.MxArray>;
    expect(await mx.sum(loaded.b!).item()).toBe(0);
  });

  it("valid archives load: zeros that compress near deflate's limit, stored and deflated entries, hand-built entries in any order", async () => {
    const f = join(dir, "big-zeros.npz");
    await mx.savezCompressed(f, { z: mx.zeros([2 ** 24], mx.uint8, o) });
    const zip = new Uint8Array(readFileSync(f));
    const v = new DataView(zip.buffer);
    const at = cdEntryAt(zip, 0);
    expect(v.getUint32(at + 24, true) / v.getUint32(at + 20, true)).toBeGreaterThan(1000); // 16 MiB from ~16 KiB
    const z = (mx.load(f, o) as Record<string, mx.MxArray>).z!;
    expect(z.shape).toEqual([2 ** 24]);
    expect(await mx.max(z).item()).toBe(0);
    const g = join(dir, "mixed.npz");
    await mx.savez(g, { a: mx.arange(5, { dtype: mx.int32, ...o }), e: mx.zeros([0, 2], mx.float32, o) });
    const mixed = mx.load(g, o) as Record<string, mx.MxArray>;
    expect(await mixed.a!.tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(mixed.e!.shape).toEqual([0, 2]);
    // two local files, listed in the directory in the other order
    const a = localFile("a.npy", npy(mx.uint8, [3], Uint8Array.from([1, 2, 3])), true);
    const b = localFile("b.npy", npy(mx.uint8, [2], Uint8Array.from([9, 8])), false);
    const h = put(".npz", zipWith(cat(a.bytes, b.bytes), [
      { name: "b.npy", at: a.bytes.length, crc: b.crc, csize: b.csize, size: b.size, method: 0 },
      { name: "a.npy", at: 0, crc: a.crc, csize: a.csize, size: a.size, method: 8 },
    ]));
    const hand = mx.load(h, o) as Record<string, mx.MxArray>;
    expect(await hand.a!.tolist()).toEqual([1, 2, 3]);
    expect(await hand.b!.tolist()).toEqual([9, 8]);
  });
});

// ---- GGUF ----

/** A GGUF v3 file of F32 tensors (name, length, offset) with its data section of `data` bytes. */
function gguf(tensors: [string, number, number][], data: number): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
  const u64v = (v: number) => (u32(v), u32(0));
  const str = (s: string) => (u64v(s.length), parts.push(...Buffer.from(s)));
  parts.push(...Buffer.from("GGUF"));
  u32(3), u64v(tensors.length), u64v(0);
  for (const [name, n, offset] of tensors) str(name), u32(1), u64v(n), u32(0), u64v(offset);
  while (parts.length % 32) parts.push(0);
  return new Uint8Array([...parts, ...Array.from({ length: data }, (_, i) => i & 255)]);
}

describe("GGUF: tensors own their bytes", () => {
  it("tensors sharing their bytes are refused, naming both", () => {
    const f = put(".gguf", gguf(Array.from({ length: 256 }, (_, i): [string, number, number] => [`t${i}`, 1024, 0]), 4096));
    expect(() => mx.loadGguf(f)).toThrow(about("loadGguf", f, "tensor 't0' \\(bytes 0 to 4096\\) and tensor 't1' \\(bytes 0 to 4096\\) share bytes \\(data offsets\\); .*file bomb"));
    const g = put(".gguf", gguf([["a", 16, 0], ["b", 16, 32]], 96));
    expect(() => mx.load(g)).toThrow(about("load", g, "tensor 'a' \\(bytes 0 to 64\\) and tensor 'b' \\(bytes 32 to 96\\) share bytes"));
  });

  it("a tensor running past the end of the file is refused", () => {
    const f = put(".gguf", gguf([["a", 16, 0], ["b", 16, 64]], 96));
    expect(() => mx.load(f)).toThrow(about("load", f, "tensor 'b' \\(data offsets 64 to 128\\) extends past the end of the file"));
  });

  it("valid files load: tensors in any order, with gaps (alignment), and our writer's", async () => {
    const f = put(".gguf", gguf([["b", 4, 64], ["a", 8, 0], ["e", 0, 32]], 80));
    const [arrays] = mx.loadGguf(f, o);
    expect(arrays.a!.shape).toEqual([8]);
    expect(arrays.e!.shape).toEqual([0]);
    expect(await arrays.b!.view(mx.uint8).tolist()).toEqual(Array.from({ length: 16 }, (_, i) => 64 + i));
    const g = join(dir, "w.gguf");
    await mx.saveGguf(g, { x: mx.ones([3, 5], mx.float16, o), y: mx.arange(7, { dtype: mx.int32, ...o }), z: mx.zeros([33], mx.int8, o) });
    const [w] = mx.loadGguf(g, o);
    expect(await w.y!.tolist()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(w.x!.shape).toEqual([3, 5]);
  });
});

// ---- function files ----

describe("function files: constants own their bytes", () => {
  it("constants sharing their bytes are refused; the file as written imports", async () => {
    const c1 = mx.array([1, 2, 3, 4], mx.float32, o), c2 = mx.array([5, 6, 7, 8], mx.float32, o);
    const file = join(dir, "f.mlxfn");
    await mx.exportFunction(file, (x: mx.MxArray) => mx.add(mx.multiply(x, c1), c2), mx.zeros([4], mx.float32, o));
    expect(await mx.importFunction(file, o)(mx.ones([4], mx.float32, o))[0]!.tolist()).toEqual([6, 8, 10, 12]);
    const ff = functionFile(file);
    const header = ff.header() as unknown as { constants: { offset: number; length: number }[] };
    expect(header.constants.map((c) => [c.offset, c.length])).toEqual([[0, 16], [16, 32 - 16]]);
    header.constants[1]!.offset = 0;
    const bad = ff.write(header as never, join(dir, "bad.mlxfn"));
    expect(() => mx.importFunction(bad, o)).toThrow(about("importFunction", bad, "not a valid mlx-ts function file: constant 0 \\(bytes 0 to 16\\) and constant 1 \\(bytes 0 to 16\\) share bytes of the data; .*file bomb"));
  });
});
