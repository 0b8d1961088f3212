// What mx.exportFunction tells a callback instead of writing a file, as
// MLX's export to a callback: the inputs, the keyword inputs, the outputs,
// the constants, then each primitive in order, every value named ("A", "B", ...).

import type { MxArray } from "../array.js";
import { dtypeFromName, type DType } from "../dtype.js";
import type { TraceRecord } from "./function-file.js";
import { decodePrimitive } from "./primitive-codec.js";

/** A value of the graph: its name, shape and dtype. */
export type ExportedValue = [name: string, shape: number[], dtype: DType];

export type ExportEvent =
  | { type: "inputs"; inputs: ExportedValue[] }
  | { type: "keyword_inputs"; keywords: [keyword: string, name: string][] }
  | { type: "outputs"; outputs: ExportedValue[] }
  | { type: "constants"; constants: [name: string, array: MxArray][] }
  /** One node: its primitive's name and parameters (mlx-ts's, not MLX's), and the names it reads and writes. */
  | { type: "primitive"; name: string; params: Readonly<Record<string, unknown>>; inputs: string[]; outputs: string[] };

/** "A".."Z", "AA".. for slot k. */
function letters(k: number): string {
  let s = "";
  for (let n = k + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The events describing one trace of a function (its constants indexing `constants`). */
export function describeTrace(t: TraceRecord, constants: readonly MxArray[]): ExportEvent[] {
  const specs: [number[], DType][] = t.inputs.map((s) => [s.shape, dtypeFromName(s.dtype)]);
  const consts = t.constants.map((c) => constants[c]!);
  specs.push(...consts.map((a): [number[], DType] => [[...a.shape], a.dtype]));
  const events: ExportEvent[] = [];
  const nodes = t.nodes.map((n) => {
    const first = specs.length;
    specs.push(...n.outputs.map((s): [number[], DType] => [s.shape, dtypeFromName(s.dtype)]));
    const prim = decodePrimitive(n.primitive, (what) => new Error(`[exportFunction] internal: ${what}`));
    return { prim, inputs: n.inputs.map(letters), outputs: n.outputs.map((_, i) => letters(first + i)) };
  });
  const value = (k: number): ExportedValue => [letters(k), specs[k]![0], specs[k]![1]];
  events.push({ type: "inputs", inputs: t.inputs.map((_, k) => value(k)) });
  events.push({ type: "keyword_inputs", keywords: t.keywords.map((kw, i) => [kw, letters(t.positional + i)]) });
  events.push({ type: "outputs", outputs: t.outputs.map(value) });
  events.push({ type: "constants", constants: consts.map((a, i) => [letters(t.inputs.length + i), a]) });
  for (const n of nodes) events.push({ type: "primitive", name: n.prim.name, params: n.prim.params(), inputs: n.inputs, outputs: n.outputs });
  return events;
}
