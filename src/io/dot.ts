// mx.exportToDot, as MLX's export_to_dot: the graph of unevaluated arrays
// behind some outputs as Graphviz DOT text (evaluated arrays are sources,
// primitives rectangles, arrays no primitive reads are sinks).

import { writeFileSync } from "./files.js";
import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import type { Primitive } from "../primitive.js";
import { isPlainObject } from "../transforms/tree.js";
import { treeFlatten } from "../transforms/utils.js";

/** MLX's node names: A, B, ..., Z, AA, AB, ... in order of first use, unless the caller named the array. */
function namer(given: Map<MxArray, string>): (a: MxArray) => string {
  const names = new Map(given);
  return (a) => {
    let n = names.get(a);
    if (n === undefined) {
      let k = names.size + 1;
      n = "";
      while (k > 0) {
        n = String.fromCharCode(65 + ((k - 1) % 26)) + n;
        k = Math.floor((k - 1) / 26);
      }
      names.set(a, n);
    }
    return n.replace(/["\\]/g, "\\$&");
  };
}

/** Visits each array once, inputs before the arrays that read them (siblings count as visited together). */
function depthFirst(outputs: readonly MxArray[], visit: (a: MxArray) => void): void {
  const seen = new Set<MxArray>();
  const stack: { a: MxArray; expanded: boolean }[] = [...outputs].reverse().map((a) => ({ a, expanded: false }));
  while (stack.length) {
    const top = stack.pop()!;
    if (top.expanded) {
      visit(top.a);
      continue;
    }
    if (seen.has(top.a)) continue;
    seen.add(top.a);
    for (const s of top.a.siblings ?? []) seen.add(s);
    stack.push({ a: top.a, expanded: true });
    for (const x of [...top.a.inputs].reverse()) if (!seen.has(x)) stack.push({ a: x, expanded: false });
  }
}

/**
 * Writes the graph behind `outputs` to `file` as Graphviz DOT (MLX's
 * `export_to_dot`): each output argument is an array or a tree of arrays;
 * in a plain object given directly, the keys name their arrays in the graph
 * (MLX's keyword arguments). Arrays already evaluated appear as sources.
 * @example
 * ```ts
 * import { mkdtempSync, readFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "graph.dot");
 * const x = mx.array([1, 2], mx.float32), y = mx.array([3, 4], mx.float32);
 * mx.exportToDot(file, mx.add(x, y), { x, y });
 * readFileSync(file, "utf8").includes('"x" -> '); // true
 * ```
 */
export function exportToDot(file: string, ...outputs: unknown[]): void {
  const op = "exportToDot";
  if (typeof file !== "string" || file === "") throw opError(op, `file must be a path (a non-empty string), got ${describeValue(file)}`, [], "type");
  const given = new Map<MxArray, string>();
  const arrays: MxArray[] = [];
  outputs.forEach((o, i) => {
    for (const [k, a] of treeFlatten(o)) {
      if (!(a instanceof MxArray)) throw opError(op, `outputs[${i}]${k ? ` '${k}'` : ""} must be an array, got ${describeValue(a)}`, [], "type");
      if (a.isDisposed) throw opError(op, `outputs[${i}]${k ? ` '${k}'` : ""} is a disposed array`, [], "value");
      arrays.push(a);
    }
    if (isPlainObject(o)) for (const [k, a] of Object.entries(o)) if (a instanceof MxArray) given.set(a, k);
  });
  const name = namer(given);
  const primIds = new Map<Primitive, number>();
  const primId = (p: Primitive) => primIds.get(p) ?? (primIds.set(p, primIds.size + 1), primIds.size);
  const intermediate = new Set<MxArray>();
  depthFirst(arrays, (a) => a.primitive && a.inputs.forEach((x) => intermediate.add(x)));
  const lines = ["digraph {"];
  depthFirst(arrays, (a) => {
    if (!a.primitive) {
      lines.push(`{ rank=source; "${name(a)}"; }`);
      return;
    }
    const p = primId(a.primitive);
    lines.push(`{ ${p} [label ="${a.primitive.name}", shape=rectangle]; }`);
    for (const x of a.inputs) lines.push(`"${name(x)}" -> ${p}`);
    for (const out of a.siblings ?? [a]) {
      lines.push(`{ ${intermediate.has(out) ? "" : "rank=sink; "}"${name(out)}"; }`);
      lines.push(`${p} -> "${name(out)}"`);
    }
  });
  lines.push("}");
  try {
    writeFileSync(file, lines.join("\n"));
  } catch (e) {
    throw opError(op, `failed to write file '${file}': ${(e as Error).message}`);
  }
}
