// .npy and .npz files as MLX's mx.save, mx.savez and mx.savez_compressed
// write them, and the .npz reader behind mx.load: a zip of .npy entries, one
// per named array (every entry loads, as in MLX), refused when they declare
// more than the memory limit allows.

import type { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { describeValue, opError } from "../errors.js";
import { isPlainObject } from "../transforms/tree.js";
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

/**
 * The arrays of a savez call as MLX's `savez(file, *args, **kwds)` takes them:
 * arrays given positionally (named arr_0, arr_1, ...), then optionally an
 * object of named arrays; or a single list of arrays (arr_0, ...).
 */
export type SavezArrays = MxArray[] | [...MxArray[], Record<string, MxArray>] | [readonly MxArray[]];

/** savez's arguments after the file, as one object of named arrays or a list (namedArrays checks the arrays). */
function savezEntries(op: string, given: readonly unknown[]): unknown {
  if (given.length === 1 && Array.isArray(given[0])) return given[0];
  const last = given[given.length - 1];
  const named = isPlainObject(last) ? last : undefined;
  const positional = named ? given.slice(0, -1) : given;
  if (!positional.length && !named) throw opError(op, "got no arrays to save: pass arrays (mx.savez(file, a, b)) or an object of named arrays (mx.savez(file, { a, b }))", [], "type");
  const out: Record<string, unknown> = {};
  positional.forEach((a, i) => {
    if (isPlainObject(a) || Array.isArray(a)) throw opError(op, `argument ${i + 1} is ${describeValue(a)}; arrays come first, then one object of named arrays last`, [], "type");
    out[`arr_${i}`] = a;
  });
  for (const [k, a] of Object.entries(named ?? {})) {
    if (Object.hasOwn(out, k)) throw opError(op, `'${k}' is given positionally (argument ${Number(k.slice(4)) + 1}) and by name`, [], "value");
    out[k] = a;
  }
  return out;
}

async function writeNpz(op: string, file: string, arrays: unknown, compress: boolean): Promise<void> {
  const path = outputPath(op, file, ".npz");
  const named = namedArrays(op, arrays);
  const entries = [];
  for (const [k, a] of named) entries.push({ name: `${k}.npy`, chunks: [npyHeader(a.dtype, a.shape), await arrayBytes(a)] });
  writePieces(op, path, zipArchive(op, path, entries, compress));
}

/**
 * Saves arrays to `file` in NumPy's uncompressed .npz format (MLX's
 * `mx.savez(file, *args, **kwds)`): arrays given positionally are named
 * `arr_0`, `arr_1`, ... (as is a single list of arrays), an object of named
 * arrays (last) keeps its names; ".npz" is appended to a name without it.
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
 * const two = join(mkdtempSync(join(tmpdir(), "mx-")), "two.npz");
 * await mx.savez(two, mx.ones([2]), mx.zeros([3]), { w: mx.ones([1]) });
 * Object.keys(mx.load(two) as Record<string, mx.MxArray>); // ["arr_0", "arr_1", "w"]
 * ```
 */
export async function savez(file: string, ...arrays: SavezArrays): Promise<void> {
  await writeNpz("savez", file, savezEntries("savez", arrays), false);
}

/**
 * `savez` with each entry deflated (MLX's `mx.savez_compressed`), through
 * node:zlib: arrays positionally (`arr_0`, ...), then an object of named
 * arrays, or a list of arrays.
 * @example
 * ```ts
 * import { mkdtempSync, statSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "z.npz");
 * await mx.savezCompressed(file, [mx.zeros([1000])]);
 * statSync(file).size < 1000; // true
 * await (mx.load(file) as Record<string, mx.MxArray>).arr_0!.sum().item(); // 0
 * await mx.savezCompressed(file, mx.zeros([10]), mx.ones([2]));
 * Object.keys(mx.load(file) as Record<string, mx.MxArray>); // ["arr_0", "arr_1"]
 * ```
 */
export async function savezCompressed(file: string, ...arrays: SavezArrays): Promise<void> {
  await writeNpz("savezCompressed", file, savezEntries("savezCompressed", arrays), true);
}

/** The arrays of an .npz source, one per entry (as MLX loads them), named after their entries less a ".npy" ending. */
export function readNpz(op: string, src: ByteSource, stream?: Stream): Record<string, MxArray> {
  const out = new Map<string, [string, MxArray]>();
  const entries = zipEntries(op, src);
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
    const name = e.name.length > 4 && e.name.endsWith(".npy") ? e.name.slice(0, -4) : e.name;
    const before = out.get(name)?.[0];
    if (before !== undefined) throw opError(op, `${src.label}: ${before === e.name ? `the archive holds '${e.name}' twice` : `the archive's entries '${before}' and '${e.name}' both load as '${name}'`}`);
    out.set(name, [e.name, readNpy(op, bytesSource(op, `${src.label}:${e.name}`, zipEntryBytes(op, src, e)), stream)]);
  }
  return Object.fromEntries([...out].map(([k, [, a]]) => [k, a]));
}
