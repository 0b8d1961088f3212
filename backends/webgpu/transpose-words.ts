// The unrolled phases of wgsl/transpose-words.wgsl, the tiled transpose that
// loads whole words along the input's contiguous dim and transposes each
// EPW x EPW block of packed elements in registers (backends/webgpu/layout-copy.ts picks it).

import type { KernelCall } from "./backend.js";

/** Words along P per tile row: one per lane of a 32-wide warp, so each load instruction reads 128 contiguous bytes. */
const LANES = 32;
/**
 * Per elements-per-word: the workgroup's invocations and its steps (each
 * step loads EPW rows along L per invocation, all before the barrier). f32:
 * 128 invocations of 16 loads (a 32 x 64 tile); 16-bit: 256 of 8 (64 x 64);
 * 8-bit: 256 of 16 (128 x 128).
 */
const SHAPES: Record<number, { threads: number; steps: number }> = { 1: { threads: 128, steps: 16 }, 2: { threads: 256, steps: 4 }, 4: { threads: 256, steps: 4 } };

/** The tile's extents for `epw` elements per word: TP along P (the input's contiguous dim), TL along L (the output's); its bytes of workgroup memory (8-bit: 16.5 KB, past WebGPU's guaranteed 16 KB). */
export function wordTile(epw: number): { tp: number; tl: number; bytes: number } {
  const { threads, steps } = SHAPES[epw]!;
  const tl = (threads / LANES) * epw * steps;
  return { tp: LANES * epw, tl, bytes: 4 * (tl / epw) * (LANES * epw + 1) };
}

/**
 * Statements turning the words `rows` (row i of an EPW x EPW block, element j
 * at bits j * bits) into the words of its transpose (word j: element j of
 * every row, row i at bits i * bits): halves of 16 bits swap between rows
 * EPW / 2 apart, then bytes between neighbouring rows.
 */
function blockTranspose(rows: string[], bits: number, name: string): { lines: string[]; words: string[] } {
  const lines: string[] = [];
  let cur = rows;
  for (let d = rows.length / 2, stage = 0; d >= 1; d /= 2, stage++) {
    const w = d * bits;
    const [low, high] = w === 16 ? ["0xffffu", "0xffff0000u"] : ["0x00ff00ffu", "0xff00ff00u"];
    const next = [...cur];
    for (let i = 0; i < cur.length; i++) {
      if ((i & d) !== 0) continue;
      const [x, y] = [cur[i]!, cur[i + d]!];
      const [lo, hi] = [`${name}_${stage}_${i}`, `${name}_${stage}_${i + d}`];
      // lo: the low w bits of each 2w-bit lane from x, then y's above them; hi: x's high w bits below y's
      if (w === 16) lines.push(`let ${lo} = (${x} & ${low}) | (${y} << 16u);`, `let ${hi} = (${x} >> 16u) | (${y} & ${high});`);
      else lines.push(`let ${lo} = (${x} & ${low}) | ((${y} & ${low}) << ${w}u);`, `let ${hi} = ((${x} >> ${w}u) & ${low}) | (${y} & ${high});`);
      next[i] = lo;
      next[i + d] = hi;
    }
    cur = next;
  }
  return { lines, words: cur };
}

/** `x` times `n` in WGSL (n a u32 constant). */
function times(x: string, n: number): string {
  return n === 1 ? x : `${x} * ${n}u`;
}

/** `x` shifted right by `shift` bits in WGSL (floor division by 2^shift, also for i32). */
function shifted(x: string, shift: number): string {
  return shift === 0 ? x : `(${x}) >> ${shift}u`;
}

/** The slots of wgsl/transpose-words.wgsl for `epw` elements per word; `reversed`: P's input stride is -1 (its elements sit in their words from the high end). */
function wordSlots(epw: number, reversed: boolean): Record<string, string | number> {
  const { tp, tl, bytes } = wordTile(epw);
  const bits = 32 / epw;
  const shift = Math.log2(epw);
  const { threads, steps } = SHAPES[epw]!;
  const blockRows = threads / LANES;
  const rowWords = LANES * epw + 1;
  const loads = [
    `let pw = lid % ${LANES}u;`,
    `let lb = lid / ${LANES}u;`,
    `let pg = p0 + i32(${times("pw", epw)});`,
    `let load_ok = live && pg < np;`,
    `let w0 = ${shifted("in_base + pg * sp", shift)};`,
    `let slw = ${shifted("sl", shift)};`,
    `let l_first = l0 + ${times("lb", epw)};`,
  ];
  const tileStores: string[] = [];
  for (let k = 0; k < steps; k++) {
    const rows: string[] = [];
    for (let i = 0; i < epw; i++) {
      const [l, a] = [`l_${k}_${i}`, `a_${k}_${i}`];
      loads.push(`let ${l} = l_first + ${k * blockRows * epw + i}u; var ${a} = 0u; if (load_ok && ${l} < nl) { ${a} = in_words[u32(w0 + i32(${l}) * slw)]; }`);
      rows.push(a);
    }
    const { lines, words } = blockTranspose(rows, bits, `b_${k}`);
    tileStores.push(...lines);
    // element jj of P in the block: at place jj of its word, or epw - 1 - jj when P runs backwards
    for (let jj = 0; jj < epw; jj++) tileStores.push(`tile[(lb + ${k * blockRows}u) * ${rowWords}u + ${jj * LANES}u + pw] = ${words[reversed ? epw - 1 - jj : jj]!};`);
  }
  const wordRows = tl / epw;
  const step = threads / wordRows;
  const stores = [
    `let wc = lid % ${wordRows}u;`,
    `let pr = lid / ${wordRows}u;`,
    `let lo = l0 + ${times("wc", epw)};`,
    `let store_ok = live && lo < nl;`,
    `let t_at = wc * ${rowWords}u + ${epw === 1 ? "pr" : `(pr % ${epw}u) * ${LANES}u + pr / ${epw}u`};`,
  ];
  const writes: string[] = [];
  for (let k = 0; k < tp / step; k++) {
    stores.push(`let v_${k} = tile[t_at + ${(k * step) / epw}u];`);
    // p below 0 (the shifted first tile) wraps past np as a u32
    writes.push(`let p_${k} = u32(p0 + i32(pr + ${k * step}u)); if (store_ok && p_${k} < u32(np)) { out_words[${shifted(`out_base + p_${k} * op + lo`, shift)}] = v_${k}; }`);
  }
  return { THREADS: threads, TILE_WORDS: bytes / 4, TP: tp, TL: tl, LOADS: loads.join("\n  "), TILE_STORES: tileStores.join("\n  "), STORES: [...stores, ...writes].join("\n  ") };
}

const calls = new Map<string, KernelCall>();
/** The kernel of the word transpose for `epw` elements per word, P read forwards or `reversed`. */
export function wordTransposeCall(epw: number, reversed: boolean): KernelCall {
  const key = `epw${epw}${reversed ? "r" : "f"}`;
  let call = calls.get(key);
  if (!call) calls.set(key, (call = { op: "copy", file: "transpose-words", helpers: ["transpose-tile"], key, slots: () => wordSlots(epw, reversed) }));
  return call;
}
