// Files for the io tests: a scratch folder removed after a test file's tests,
// with a writer of numbered files, and a GGUF v3 file of one tensor built
// byte by byte (the loaders' hand-built inputs).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** A scratch folder (removed after the calling file's tests) and `put(ext, bytes)`, which writes bytes to a new file in it and returns its path. */
export function scratchFiles(prefix: string): { dir: string; put: (ext: string, bytes: Uint8Array) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let fileNo = 0;
  const put = (ext: string, bytes: Uint8Array) => {
    const f = join(dir, `f${fileNo++}${ext}`);
    writeFileSync(f, bytes);
    return f;
  };
  return { dir, put };
}

/** A GGUF v3 file without metadata holding one tensor `name` of ggml type `type`, GGUF dimensions `dims` (innermost first), at offset 0 of the data: `data`. */
export function ggufOneTensor(name: string, type: number, dims: readonly number[], data: Uint8Array): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
  const u64 = (v: number) => (u32(v), u32(0));
  const str = (s: string) => (u64(s.length), parts.push(...Buffer.from(s)));
  parts.push(...Buffer.from("GGUF"));
  u32(3), u64(1), u64(0);
  str(name), u32(dims.length), dims.forEach(u64), u32(type), u64(0);
  while (parts.length % 32) parts.push(0);
  return new Uint8Array([...parts, ...data]);
}
