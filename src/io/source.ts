// Bounded reads from a file or a byte buffer, for the loaders: every read
// names the range it wants and fails with an error naming the function and
// the file when the range lies outside the source, so no parser reads past it.

import { closeSync, fstatSync, openSync, readSync } from "./files.js";
import { describeValue, opError } from "../errors.js";

/** Bytes a loader reads from: a file read in pieces, or bytes in memory. */
export interface ByteSource {
  /** What errors call it (the file's path). */
  readonly label: string;
  readonly size: number;
  /** `length` bytes from `offset`; throws unless the whole range is in the source. */
  read(offset: number, length: number, what: string): Uint8Array;
  close(): void;
}

/** The error of a loader about a source: `[op] file: message`. */
export function fileError(op: string, label: string, message: string): Error {
  return opError(op, `${label}: ${message}`);
}

function checkRange(op: string, label: string, size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw fileError(op, label, `${what} (bytes ${offset} to ${offset + length}) lies past the end of the file (${size} bytes); the file is truncated or corrupt`);
  }
}

/** Bytes in memory as a source (what the fuzz tests and the zip reader use). */
export function bytesSource(op: string, label: string, bytes: Uint8Array): ByteSource {
  return {
    label,
    size: bytes.length,
    read(offset, length, what) {
      checkRange(op, label, bytes.length, offset, length, what);
      return bytes.subarray(offset, offset + length);
    },
    close() {},
  };
}

/** A file opened for bounded positional reads. */
export function fileSource(op: string, path: unknown): ByteSource {
  if (typeof path !== "string" || path === "") throw opError(op, `file must be a path (a non-empty string), got ${describeValue(path)}`, [], "type");
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw opError(op, `failed to open file '${path}': ${(e as Error).message}`);
  }
  const stat = fstatSync(fd);
  if (stat.isDirectory()) {
    closeSync(fd);
    throw opError(op, `'${path}' is a directory, not a file`);
  }
  const size = stat.size;
  return {
    label: path,
    size,
    read(offset, length, what) {
      checkRange(op, path, size, offset, length, what);
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n <= 0) throw fileError(op, path, `${what}: the file ended early (it changed while being read?)`);
        done += n;
      }
      return out;
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Runs `fn` on a source opened for `file`, closing it afterwards. */
export function withFile<T>(op: string, file: unknown, fn: (src: ByteSource) => T): T {
  const src = fileSource(op, file);
  try {
    return fn(src);
  } finally {
    src.close();
  }
}
