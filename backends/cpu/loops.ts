// Generated strided loops for the CPU reference. An elementwise kernel is a
// JS expression over inputs a, b, c; this module compiles it once per
// (expression, operand count) into a loop over a row-major output that walks
// each input by its own strides, with a flat fast path when all are contiguous.

import { H } from "./math.js";

export type Words = ArrayLike<number | bigint> & { [i: number]: number | bigint; length: number };

/** out[o + i] = expr(in_k[off_k + index_k(i)]) for every i of `shape`. */
export type MapLoop = (out: Words, outOffset: number, ins: Words[], offsets: number[], shape: number[], strides: number[][], contiguous: boolean) => void;

const cache = new Map<string, MapLoop>();
const NAMES = ["a", "b", "c"];

/**
 * Compiles a loop: operand k is loaded by `reads[k]`, where "@" stands for the
 * element access, and `body` is the stored value, e.g. reads ["H.T16[@]"], body "H.f16(a + 1)".
 * `types` names the operand storage types, so each combination gets its own
 * monomorphic loop.
 */
export function compileMap(types: string, reads: readonly string[], body: string): MapLoop {
  const key = types + ":" + reads.join("|") + "=>" + body;
  const hit = cache.get(key);
  if (hit) return hit;
  const n = reads.length;
  const ks = [...Array(n).keys()];
  const load = (idx: (k: number) => string) => ks.map((k) => `const ${NAMES[k]} = ${reads[k]!.replace(/@/g, `I${k}[${idx(k)}]`)};`).join(" ");
  const src = `
${ks.map((k) => `const I${k} = ins[${k}];`).join(" ")}
const nd = shape.length;
let total = 1;
for (let d = 0; d < nd; d++) total *= shape[d];
if (total === 0) return;
if (contiguous || nd === 0) {
  ${ks.map((k) => `const o${k} = offsets[${k}];`).join(" ")}
  for (let i = 0; i < total; i++) { ${load((k) => `o${k} + i`)} out[outOffset + i] = ${body}; }
  return;
}
const inner = shape[nd - 1];
${ks.map((k) => `const S${k} = strides[${k}]; const s${k} = S${k}[nd - 1]; let p${k} = offsets[${k}];`).join("\n")}
const idx = new Array(nd).fill(0);
let o = outOffset;
for (let done = 0; done < total; done += inner) {
  for (let i = 0; i < inner; i++) { ${load((k) => `p${k} + i * s${k}`)} out[o++] = ${body}; }
  for (let d = nd - 2; d >= 0; d--) {
    ${ks.map((k) => `p${k} += S${k}[d];`).join(" ")}
    if (++idx[d] < shape[d]) break;
    ${ks.map((k) => `p${k} -= S${k}[d] * shape[d];`).join(" ")}
    idx[d] = 0;
  }
}`;
  const loop = new Function("H", `return function mapLoop(out, outOffset, ins, offsets, shape, strides, contiguous) {${src}\n};`)(H) as MapLoop;
  cache.set(key, loop);
  return loop;
}
