// .npy and .npz files as MLX's mx.save, mx.savez and mx.savez_compressed
// write them, and the .npz reader behind mx.load: a zip of .npy entries, one
// per named array, refused when they declare more than the memory limit allows.

import type { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { opError } from "../errors.js";
import { arrayBytes } from "./convert.js";
import { npyHeader, readNpy } from "./npy.js";
import { loadBudget } from "./budget.js";
import { bytesSource, fileError, type ByteSource } from "./source.js";
import { checkArrayArg, namedArrays, outputPath, writePieces } from "./write.js";
import { zipArchive, zipEntries, zipEntryBytes } from "./zip.js";

/**
 * Saves `a` to `file` in NumPy's .npy format (MLX's `mx.save`; ".npy" is
 * appended to a name without it). bfloat16 is written as '<V2', as MLX
 * does; `mx.load` reads it back.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "x.npy");
 * await mx.save(file, mx.array([[1, 2], [3, 4]], mx.int16));
 * const x = mx.load(file) as mx.MxArray;
 * x.dtype.name; // "int16"
 * await x.tolist(); // [[1, 2], [3, 4]]
 * ```
 */
export async function save(file: string, a: MxArray): Promise<void> {
  const op = "save";
  const path = outputPath(op, file, ".npy");
  const arr = checkArrayArg(op, "a", a);
  writePieces(op, path, [npyHeader(arr.dtype, arr.shape), await arrayBytes(arr)]);
}

async function writeNpz(op: string, file: string, arrays: unknown, compress: boolean): Promise<void> {
  const path = outputPath(op, file, ".npz");
  const named = namedArrays(op, arrays);
  const entries = [];
  for (const [k, a] of named) entries.push({ name: `${k}.npy`, chunks: [npyHeader(a.dtype, a.shape), await arrayBytes(a)] });
  writePieces(op, path, zipArchive(op, path, entries, compress));
}

/**
 * Saves named arrays to `file` in NumPy's uncompressed .npz format (MLX's
 * `mx.savez`): a dict of arrays keeps its names, a list gets `arr_0`,
 * `arr_1`, ...; ".npz" is appended to a name without it.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "w.npz");
 * await mx.savez(file, { w: mx.ones([2]), b: mx.array([true]) });
 * const loaded = mx.load(file) as Record<string, mx.MxArray>;
 * Object.keys(loaded); // ["w", "b"]
 * await loaded.b!.tolist(); // [true]
 * ```
 */
export async function savez(file: string, arrays: Record<string, MxArray> | readonly MxArray[]): Promise<void> {
  await writeNpz("savez", file, arrays, false);
}

/**
 * `savez` with each entry deflated (MLX's `mx.savez_compressed`), through node:zlib.
 * @example
 * ```ts
 * import { mkdtempSync, statSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "z.npz");
 * await mx.savezCompressed(file, [mx.zeros([1000])]);
 * statSync(file).size < 1000; // true
 * await (mx.load(file) as Record<string, mx.MxArray>).arr_0!.sum().item(); // 0
 * ```
 */
export async function savezCompressed(file: string, arrays: Record<string, MxArray> | readonly MxArray[]): Promise<void> {
  await writeNpz("savezCompressed", file, arrays, true);
}

/** The arrays of an .npz source, named after their entries without ".npy". */
export function readNpz(op: string, src: ByteSource, stream?: Stream): Record<string, MxArray> {
  const out: [string, MxArray][] = [];
  const entries = zipEntries(op, src).filter((e) => e.name.endsWith(".npy"));
  const declared = entries.reduce((s, e) => s + e.size, 0);
  const budget = loadBudget(stream);
  if (declared > budget.left) {
    throw fileError(
      op,
      src.label,
      `the archive's entries declare ${declared} bytes, more than the ${budget.left} bytes backend '${budget.backend}' has left under its memory limit ` +
        `(${budget.limit} bytes, ${budget.active} in use; mx.setMemoryLimit changes it)`,
    );
  }
  for (const e of entries) {
    const name = e.name.slice(0, -4);
    if (out.some(([k]) => k === name)) throw opError(op, `${src.label}: the archive holds '${e.name}' twice`);
    out.push([name, readNpy(op, bytesSource(op, `${src.label}:${e.name}`, zipEntryBytes(op, src, e)), stream)]);
  }
  return Object.fromEntries(out);
}
