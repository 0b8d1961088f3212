// Writing the save functions' output: the checks every save shares (the
// file path, arrays that are live mx arrays, names) and the file written
// piece by piece.

import { closeSync, openSync, writeSync } from "./files.js";
import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";

/** The path to write: `file`, with `ext` appended when it does not end with it (as MLX does). */
export function outputPath(op: string, file: unknown, ext: string): string {
  if (typeof file !== "string" || file === "") throw opError(op, `file must be a path (a non-empty string), got ${describeValue(file)}`, [], "type");
  return file.endsWith(ext) ? file : file + ext;
}

export function checkArrayArg(op: string, name: string, a: unknown): MxArray {
  if (!(a instanceof MxArray)) throw opError(op, `${name} must be an mx array, got ${describeValue(a)}`, [], "type");
  if (a.isDisposed) throw opError(op, `${name} is a disposed array`, [], "value");
  return a;
}

/** The named arrays of a dict (or `arr_<i>` for a list), each checked. */
export function namedArrays(op: string, arrays: unknown): [string, MxArray][] {
  const entries: [string, unknown][] = Array.isArray(arrays)
    ? arrays.map((a, i) => [`arr_${i}`, a])
    : arrays !== null && typeof arrays === "object" && !(arrays instanceof MxArray)
      ? Object.entries(arrays)
      : (() => {
          throw opError(op, `arrays must be an object of named arrays (or a list of arrays), got ${describeValue(arrays)}`, [], "type");
        })();
  return entries.map(([k, a]) => {
    if (k === "") throw opError(op, "arrays has an empty name", [], "value");
    return [k, checkArrayArg(op, `arrays '${k}'`, a)];
  });
}

/** Writes byte pieces to `path` in order. */
export function writePieces(op: string, path: string, pieces: readonly Uint8Array[]): void {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (e) {
    throw opError(op, `failed to open file '${path}' for writing: ${(e as Error).message}`);
  }
  try {
    for (const p of pieces) for (let done = 0; done < p.length; ) done += writeSync(fd, p, done, p.length - done);
  } finally {
    closeSync(fd);
  }
}
