// Files as MLX and the tools around it write them: safetensors with
// "__metadata__": null (MLX's writer without metadata), .npz archives with
// non-ASCII entry names (flag bit 11, else CP437, as Python's zipfile), zip64
// records (past 65535 entries or 2 GiB, as MLX writes through Python's
// zipfile), entries not ending in .npy (MLX loads every entry), and GGUF
// K-quants (Q2_K-Q6_K) dequantized to float16, against gguf-py's values.
// NumPy (where present) reads the archives written here.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { npyHeader } from "../src/io/npy.js";
import { bytesSource } from "../src/io/source.js";
import { ZIP64_LIMITS, zipArchive, zipEntries, zipEntryBytes, type ZipInput } from "../src/io/zip.js";
import { K_QUANT_FIXTURES } from "./helpers/gguf-kquant-fixtures.js";
import { ggufOneTensor, scratchFiles } from "./helpers/io-files.js";
import { describeWithNumpy, pythonOutput } from "./helpers/numpy.js";

const { dir, put } = scratchFiles("mlx-ts-io-mlx-");
const o = { stream: mx.cpu };
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const loadAll = (f: string) => mx.load(f, o) as Record<string, mx.MxArray>;

// ---- safetensors ----

/** A safetensors file of one float32 tensor [1, 2] under `w`, with the header's `__metadata__` given as JSON text (or none). */
function safetensorsWith(metadataJson: string | undefined): Uint8Array {
  const tensor = '"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
  const json = Buffer.from(`{${metadataJson === undefined ? "" : `"__metadata__":${metadataJson},`}${tensor}}`);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return new Uint8Array(Buffer.concat([len, json, Buffer.from(new Float32Array([1, 2]).buffer)]));
}

describe("safetensors: __metadata__ null is no metadata, as MLX writes it", () => {
  it("loads a header with \"__metadata__\": null (MLX's save_safetensors and save_weights without metadata)", async () => {
    const f = put(".safetensors", safetensorsWith("null"));
    const [arrays, meta] = mx.loadSafetensors(f, o);
    expect(meta).toEqual({});
    expect(await arrays.w!.tolist()).toEqual([1, 2]);
    expect(mx.loadSafetensors(put(".safetensors", safetensorsWith(undefined)), o)[1]).toEqual({});
    for (const bad of ["[]", '"x"', "1", '{"k":1}']) expect(() => mx.loadSafetensors(put(".safetensors", safetensorsWith(bad)))).toThrow(/__metadata__ is not an object of strings|metadata 'k' is not a string/);
  });

  it("what mx writes without metadata is an empty object of strings (Hugging Face's reader takes {} as no metadata)", async () => {
    const f = join(dir, "nometa.safetensors");
    await mx.saveSafetensors(f, { w: mx.ones([2], mx.float32, o) });
    const b = new Uint8Array(readFileSync(f));
    const header = JSON.parse(Buffer.from(b.subarray(8, 8 + Number(view(b).getBigUint64(0, true)))).toString()) as Record<string, unknown>;
    expect(header.__metadata__).toEqual({});
    expect(mx.loadSafetensors(f)[1]).toEqual({});
  });
});

// ---- .npz: entry names, zip64, entries of any name ----

const npyOf = (values: number[]): Uint8Array[] => [npyHeader(mx.int32, [values.length]), new Uint8Array(new Int32Array(values).buffer)];
const archive = (entries: ZipInput[], compress = false, limits = ZIP64_LIMITS) => new Uint8Array(Buffer.concat(zipArchive("test", "test", entries, compress, limits)));
/** The offsets of the central directory entries of a zip without zip64 records. */
const centralEntries = (zip: Uint8Array): number[] => {
  const v = view(zip);
  const out: number[] = [];
  for (let i = 0, p = v.getUint32(zip.length - 22 + 16, true); i < v.getUint16(zip.length - 22 + 10, true); i++) {
    out.push(p);
    p += 46 + v.getUint16(p + 28, true) + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return out;
};
/** `zip` with every occurrence of the ASCII `placeholder` replaced by `bytes` of the same length (an entry name in its local and central headers). */
const patchName = (zip: Uint8Array, placeholder: string, bytes: number[]) => {
  const out = zip.slice();
  const p = Buffer.from(placeholder);
  for (let at = Buffer.from(out).indexOf(p); at >= 0; at = Buffer.from(out).indexOf(p, at + 1)) out.set(bytes, at);
  return out;
};
/** An archive of 65536 one-byte entries a0.npy... (built once, for the zip64 tests). */
let many: Uint8Array | undefined;
const manyEntries = () => {
  const head = npyHeader(mx.uint8, [1]);
  return (many ??= archive(Array.from({ length: 65536 }, (_, i) => ({ name: `a${i}.npy`, chunks: [head, Uint8Array.of(i & 255)] }))));
};
/** 128 name bytes 0x80 to 0xff, each decoded by CP437. */
const HIGH_BYTES = Array.from({ length: 128 }, (_, i) => 0x80 + i);

describe(".npz entry names: UTF-8 with flag bit 11, CP437 without, as Python's zipfile", () => {
  it("a non-ASCII name is written as UTF-8 with bit 11 set in the local and central headers; an ASCII one without", async () => {
    const f = join(dir, "names.npz");
    await mx.savez(f, { "α/β ü": mx.array([1], mx.int32, o), plain: mx.array([2], mx.int32, o) });
    const zip = new Uint8Array(readFileSync(f));
    const [first, second] = centralEntries(zip);
    const v = view(zip);
    expect(v.getUint16(first! + 8, true)).toBe(0x800);
    expect(v.getUint16(second! + 8, true)).toBe(0);
    expect(v.getUint16(v.getUint32(first! + 42, true) + 6, true)).toBe(0x800); // the local header's flags
    expect(v.getUint16(v.getUint32(second! + 42, true) + 6, true)).toBe(0);
    expect(Object.keys(loadAll(f))).toEqual(["α/β ü", "plain"]);
  });

  it("a name without bit 11 is CP437 (Python's zipfile reads it so); one flagged UTF-8 that is not is an error", () => {
    const placeholder = "N".repeat(128);
    const zip = archive([{ name: `${placeholder}.npy`, chunks: npyOf([5]) }, { name: "x.npy", chunks: npyOf([6]) }]);
    const cp437 = put(".npz", patchName(zip, placeholder, HIGH_BYTES));
    const name = Object.keys(loadAll(cp437))[0]!;
    expect(name.length).toBe(128);
    expect([name[0], name[2], name[0x61], name[0x7f]]).toEqual(["Ç", "é", "ß", "\u00a0"]); // bytes 0x80, 0x82, 0xe1, 0xff
    const flagged = patchName(zip, placeholder, HIGH_BYTES);
    for (const at of centralEntries(flagged).slice(0, 1)) view(flagged).setUint16(at + 8, 0x800, true);
    const f = put(".npz", flagged);
    expect(() => mx.load(f)).toThrow(/^\[load\] .*: zip central directory entry 0 flags its name as UTF-8 but it is not/);
  });
});

describe(".npz zip64: written past Python's zipfile limits (65535 entries, 2^31 - 1 bytes), as MLX writes it, and read", () => {
  const SMALL = { bytes: 64, entries: 2 };

  it.each([false, true])("entries past the limits (compressed: %s) get zip64 extra fields and end records, and load", async (compress) => {
    const values = Array.from({ length: 40 }, (_, i) => i * 3 - 7);
    const zip = archive([{ name: "a.npy", chunks: npyOf(values) }, { name: "b", chunks: npyOf([1, 2]) }, { name: "c.npy", chunks: npyOf([]) }], compress, SMALL);
    const v = view(zip);
    // the end record points on: its count, size and offset say "see the zip64 record", which the locator before it finds
    const end = zip.length - 22;
    expect([v.getUint16(end + 10, true), v.getUint32(end + 12, true), v.getUint32(end + 16, true)]).toEqual([0xffff, 0xffffffff, 0xffffffff]);
    expect(v.getUint32(end - 20, true)).toBe(0x07064b50);
    const record = Number(v.getBigUint64(end - 20 + 8, true));
    expect(v.getUint32(record, true)).toBe(0x06064b50);
    expect(v.getBigUint64(record + 32, true)).toBe(3n);
    // the first entry's sizes are past 64 bytes: 0xffffffff in its local header, the sizes in its zip64 extra field
    if (!compress) expect([v.getUint32(18, true), v.getUint32(22, true), v.getUint16(28, true), v.getUint16(30 + 5, true)]).toEqual([0xffffffff, 0xffffffff, 20, 1]);
    const f = put(".npz", zip);
    const loaded = loadAll(f);
    expect(Object.keys(loaded)).toEqual(["a", "b", "c"]);
    expect(await loaded.a!.tolist()).toEqual(values);
    expect(await loaded.b!.tolist()).toEqual([1, 2]);
    expect(loaded.c!.shape).toEqual([0]);
  });

  it("65536 entries (MLX's limit is Python's: zip64 from 65535) write zip64 records and read back", () => {
    const zip = manyEntries();
    const v = view(zip);
    expect(v.getUint16(zip.length - 22 + 10, true)).toBe(0xffff);
    expect(v.getUint32(zip.length - 42, true)).toBe(0x07064b50);
    const src = bytesSource("load", "many.npz", zip);
    const entries = zipEntries("load", src);
    expect(entries.length).toBe(65536);
    expect(entries[65535]!.name).toBe("a65535.npy");
    expect(zipEntryBytes("load", src, entries[65535]!).at(-1)).toBe(65535 & 255);
  }, 30_000);
});

describe(".npz entries load whatever their names, as MLX (less a '.npy' ending)", () => {
  it("every entry loads; '.npy' is taken off where a name has more before it", async () => {
    const f = put(".npz", archive([{ name: "plain", chunks: npyOf([1]) }, { name: "x.npy", chunks: npyOf([2]) }, { name: ".npy", chunks: npyOf([3]) }, { name: "d/y.npy", chunks: npyOf([4]) }, { name: "z.npy.npy", chunks: npyOf([5]) }]));
    const loaded = loadAll(f);
    expect(Object.keys(loaded)).toEqual(["plain", "x", ".npy", "d/y", "z.npy"]);
    expect(await Promise.all(Object.values(loaded).map((a) => a.item()))).toEqual([1, 2, 3, 4, 5]);
  });

  it("two entries loading under one name are an error naming both", () => {
    const f = put(".npz", archive([{ name: "a", chunks: npyOf([1]) }, { name: "a.npy", chunks: npyOf([2]) }]));
    expect(() => mx.load(f)).toThrow(/^\[load\] .*: the archive's entries 'a' and 'a\.npy' both load as 'a'/);
    const g = put(".npz", archive([{ name: "a.npy", chunks: npyOf([1]) }, { name: "a.npy", chunks: npyOf([2]) }]));
    expect(() => mx.load(g)).toThrow(/the archive holds 'a\.npy' twice/);
    const h = put(".npz", archive([{ name: "notes.txt", chunks: [Buffer.from("hello")] }]));
    expect(() => mx.load(h)).toThrow(/^\[load\] .*notes\.txt: /); // an entry that is not .npy data is an error, as in MLX
  });
});

describeWithNumpy("NumPy reads the archives written here", () => {
  it("UTF-8 names, zip64 records (small limits and 65536 entries), and CP437 names decoded alike", async () => {
    const names = join(dir, "np-names.npz");
    await mx.savez(names, { "α/β ü": mx.array([1], mx.int32, o), plain: mx.array([2], mx.int32, o) });
    const small = put(".npz", archive([{ name: "a.npy", chunks: npyOf([1, 2, 3]) }, { name: "b.npy", chunks: npyOf([4]) }, { name: "c.npy", chunks: npyOf([5]) }], true, { bytes: 64, entries: 2 }));
    const placeholder = "N".repeat(128);
    const cp437 = put(".npz", patchName(archive([{ name: `${placeholder}.npy`, chunks: npyOf([5]) }]), placeholder, HIGH_BYTES));
    const manyFile = put(".npz", manyEntries());
    const out = JSON.parse(pythonOutput(`
import json, zipfile, numpy as np
res = {}
z = np.load(${JSON.stringify(names)}); res["names"] = z.files
z = np.load(${JSON.stringify(small)}); res["small"] = [z.files, [z[k].tolist() for k in z.files]]
z = np.load(${JSON.stringify(manyFile)}); res["many"] = [len(z.files), int(z["a65535"][0])]
res["cp437"] = zipfile.ZipFile(${JSON.stringify(cp437)}).namelist()
print(json.dumps(res))`)) as { names: string[]; small: [string[], number[][]]; many: [number, number]; cp437: string[] };
    expect(out.names).toEqual(["α/β ü", "plain"]);
    expect(out.small).toEqual([["a", "b", "c"], [[1, 2, 3], [4], [5]]]);
    expect(out.many).toEqual([65536, 255]);
    expect(out.cp437).toEqual([`${Object.keys(loadAll(cp437))[0]}.npy`]);
  });
});

// ---- GGUF K-quants ----

const K_TYPES: [string, number, number][] = [["Q2_K", 10, 84], ["Q3_K", 11, 110], ["Q4_K", 12, 144], ["Q5_K", 13, 176], ["Q6_K", 14, 210]];

describe("GGUF K-quants load as float16, as MLX loads them (through gguflib), each weight as gguf-py gives it", () => {
  it.each(K_TYPES)("%s: two super-blocks, as [2, 256] and [512]", async (label, type, block) => {
    const { blocks, float16 } = K_QUANT_FIXTURES[label]!;
    const data = new Uint8Array(Buffer.from(blocks, "hex"));
    expect(data.length).toBe(2 * block);
    const want = [...new Uint16Array(new Uint8Array(Buffer.from(float16, "hex")).buffer)];
    for (const dims of [[256, 2], [512]]) {
      const [arrays] = mx.loadGguf(put(".gguf", ggufOneTensor("blk.weight", type, dims, data)), o);
      expect(Object.keys(arrays)).toEqual(["blk.weight"]);
      const w = arrays["blk.weight"]!;
      expect([w.dtype.name, ...w.shape]).toEqual(["float16", ...[...dims].reverse()]);
      expect([...(await w.view(mx.uint16).reshape([-1]).data())]).toEqual(want);
    }
  });

  it("a last dimension that is not a multiple of 256, or data past the end of the file, is an error", () => {
    for (const [label, type, block] of K_TYPES) {
      const short = put(".gguf", ggufOneTensor("k", type, [128, 2], new Uint8Array(block)));
      expect(() => mx.load(short)).toThrow(new RegExp(`^\\[load\\] .*: tensor 'k' \\(${label}\\) has a last dimension of 128, not a multiple of 256`));
      const cut = put(".gguf", ggufOneTensor("k", type, [256, 2], new Uint8Array(2 * block - 1)));
      expect(() => mx.load(cut)).toThrow(/tensor 'k' \(data offsets 0 to \d+\) extends past the end of the file/);
    }
  });
});
