// src/io/files.ts in the browser bundle: a page has no file system, so
// mx.save, mx.load and the other file functions say so by name (the caller
// wraps this error with the op and the file).

function noFiles(): never {
  throw new Error("files need Node.js (a browser page has no file system)");
}

export const closeSync = noFiles;
export const fstatSync = noFiles;
export const openSync = noFiles;
export const readSync = noFiles;
export const writeFileSync = noFiles;
export const writeSync = noFiles;
export const deflateRawSync = noFiles;
export const inflateRawSync = noFiles;
