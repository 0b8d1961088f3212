// A function file's JSON header (after its 16-byte magic line and u64 length,
// before the constants' bytes) read, and copies of the file written with
// another header: for tests that tamper with a file's nodes.

import { readFileSync, writeFileSync } from "node:fs";

export interface FileNode {
  primitive: { class: string; fields: Record<string, unknown> };
  inputs: number[];
  device: string | null;
  outputs: { dtype: string; shape: number[] }[];
  multi: boolean;
}

export interface FileHeader {
  shapeless: boolean;
  traces: { nodes: FileNode[] }[];
}

/** The header of function file `file` (a fresh copy on each call of `header`) and a writer of the file with another header to path `to`. */
export function functionFile(file: string): { header(): FileHeader; write(header: FileHeader, to: string): string } {
  const bytes = readFileSync(file);
  const at = 24 + Number(bytes.readBigUInt64LE(16));
  const text = bytes.subarray(24, at).toString();
  return {
    header: () => JSON.parse(text) as FileHeader,
    write(header, to) {
      const json = Buffer.from(JSON.stringify(header));
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(json.length));
      writeFileSync(to, Buffer.concat([bytes.subarray(0, 16), length, json, bytes.subarray(at)]));
      return to;
    },
  };
}
