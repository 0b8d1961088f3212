// MSL libraries for the Metal backend: a library is one kernel family file of
// msl/ after common.metal, specialized by a few #defines (dtype, op lists),
// compiled once per process by the device and cached with its pipelines.
// `#line` markers keep compiler messages at the .metal file and line.
// MLX_TS_METAL_DUMP=<dir> writes every library's full source there (for
// compiling each with Apple's `xcrun metal` on a Mac).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NativeDevice, NativeLibrary, NativePipeline } from "./native.js";
import { mslDir } from "./native.js";

/** A library: its file in msl/ (without .metal), a name for its specialization, and the defines. */
export interface LibraryKey {
  file: string;
  variant: string;
  /** Made only when the library is not cached yet. */
  defines: () => Record<string, string>;
}

const sources = new Map<string, string>();

function mslSource(file: string): string {
  let s = sources.get(file);
  if (s === undefined) {
    s = readFileSync(join(mslDir(), `${file}.metal`), "utf8");
    sources.set(file, s);
  }
  return s;
}

/** The full source of a library: the defines, common.metal, then the family file. */
export function librarySource(file: string, defines: Record<string, string>): string {
  const lines = Object.entries(defines).map(([k, v]) => `#define ${k} ${v}`);
  return `${lines.join("\n")}\n#line 1 "common.metal"\n${mslSource("common")}\n#line 1 "${file}.metal"\n${mslSource(file)}`;
}

export class Libraries {
  private readonly libraries = new Map<string, NativeLibrary>();
  private readonly pipelines = new Map<string, NativePipeline>();

  constructor(private readonly device: NativeDevice) {}

  pipeline(key: LibraryKey, kernel: string): NativePipeline {
    const id = `${key.file}|${key.variant}`;
    const pid = `${id}|${kernel}`;
    let p = this.pipelines.get(pid);
    if (p) return p;
    let lib = this.libraries.get(id);
    if (!lib) {
      const label = `${key.file}${key.variant ? `-${key.variant}` : ""}.metal`;
      const source = librarySource(key.file, key.defines());
      const dump = process.env.MLX_TS_METAL_DUMP;
      if (dump) {
        mkdirSync(dump, { recursive: true });
        writeFileSync(join(dump, label), source);
      }
      try {
        lib = this.device.newLibrary(label, source);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n(needed for kernel '${kernel}')`);
      }
      this.libraries.set(id, lib);
    }
    p = this.device.newPipeline(lib, kernel);
    this.pipelines.set(pid, p);
    return p;
  }
}
