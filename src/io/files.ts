// The Node.js calls the IO functions make (node:fs for files, node:zlib for
// compressed .npz entries), in one module so the browser bundle can put one
// without them in its place (web/no-files.ts: each call there is an error
// saying files need Node.js).

export { closeSync, fstatSync, openSync, readSync, writeFileSync, writeSync } from "node:fs";
export { deflateRawSync, inflateRawSync } from "node:zlib";
