// GGUF's K-quant tensors (ggml's Q2_K to Q6_K: super-blocks of 256 weights
// with quantized sub-block scales) dequantized to float16, as MLX loads
// K-quants through gguflib: each weight computed in float32, then rounded.

import { f16FromNumber, f16ToNumber } from "../half.js";

/** The weights in one super-block (ggml's QK_K). */
export const K_BLOCK_WEIGHTS = 256;

/** Writes the float16 bits of the 256 weights of the super-block at `at` in `data` to `out` from `to`. */
type BlockDecoder = (data: Uint8Array, view: DataView, at: number, out: Uint16Array, to: number) => void;

const f32 = Math.fround;
const half = (view: DataView, at: number) => f16ToNumber(view.getUint16(at, true));

/**
 * The 6-bit scale and min of sub-block `j` (0 to 7) of a Q4_K or Q5_K
 * super-block, packed in the 12 bytes from `at`: the low 6 bits of bytes
 * j and j + 4 for j < 4; else 4 bits of byte j + 4 and the top 2 bits of
 * bytes j - 4 and j.
 */
function scaleMin(data: Uint8Array, at: number, j: number): [number, number] {
  if (j < 4) return [data[at + j]! & 63, data[at + j + 4]! & 63];
  return [(data[at + j + 4]! & 0xf) | ((data[at + j - 4]! >> 6) << 4), (data[at + j + 4]! >> 4) | ((data[at + j]! >> 6) << 4)];
}

/**
 * Q4_K (144 bytes: d, dmin, 12 bytes of scales and mins, 128 bytes of
 * 4-bit weights) and Q5_K (176 bytes: the same with 32 bytes of fifth bits
 * before the weights): each 64 weights share 32 bytes, the low nibbles the
 * first 32 weights, the high nibbles the next; a weight is
 * (d * scale) * q - dmin * min for its 32-weight sub-block.
 */
function q4q5(fifthBits: boolean): BlockDecoder {
  return (data, view, at, out, to) => {
    const d = half(view, at), dmin = half(view, at + 2);
    const qh = at + 16, qs = at + (fifthBits ? 48 : 16);
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMin(data, at + 4, j);
      const scale = f32(d * sc), min = f32(dmin * m);
      const bytes = qs + 32 * (j >> 1), shift = (j & 1) * 4;
      for (let l = 0; l < 32; l++) {
        const q = ((data[bytes + l]! >> shift) & 0xf) | (fifthBits ? ((data[qh + l]! >> j) & 1) << 4 : 0);
        out[to + 32 * j + l] = f16FromNumber(f32(f32(scale * q) - min));
      }
    }
  };
}

/**
 * Q2_K (84 bytes: 16 bytes of 4-bit scale (low) and min (high) per
 * 16-weight sub-block, 64 bytes of 2-bit weights, d, dmin): weight k of
 * each 128 takes bits 2 * (k / 32) of byte k % 32 of its 32 bytes, and is
 * (d * scale) * q - dmin * min.
 */
const q2: BlockDecoder = (data, view, at, out, to) => {
  const d = half(view, at + 80), dmin = half(view, at + 82);
  for (let k = 0; k < K_BLOCK_WEIGHTS; k++) {
    const sm = data[at + (k >> 4)]!;
    const q = (data[at + 16 + 32 * (k >> 7) + (k & 31)]! >> (2 * ((k >> 5) & 3))) & 3;
    out[to + k] = f16FromNumber(f32(f32(f32(d * (sm & 0xf)) * q) - f32(dmin * (sm >> 4))));
  }
};

/**
 * Q3_K (110 bytes: 32 bytes of high bits, 64 bytes of 2-bit weights, 12
 * bytes of 6-bit scales, d): the 2 low bits as Q2_K's, less 4 where the
 * weight's high bit (bit k / 32 of byte k % 32) is clear; scale i keeps its
 * low 4 bits in byte i (i < 8, low nibble) or i - 8 (high nibble) and its
 * top 2 in byte 8 + i % 4 at bit 2 * (i / 4); a weight is (d * (scale - 32)) * q.
 */
const q3: BlockDecoder = (data, view, at, out, to) => {
  const d = half(view, at + 108), sc = at + 96;
  for (let k = 0; k < K_BLOCK_WEIGHTS; k++) {
    const i = k >> 4;
    const scale = ((i < 8 ? data[sc + i]! & 0xf : data[sc + i - 8]! >> 4) | (((data[sc + 8 + (i & 3)]! >> (2 * (i >> 2))) & 3) << 4)) - 32;
    const low = (data[at + 32 + 32 * (k >> 7) + (k & 31)]! >> (2 * ((k >> 5) & 3))) & 3;
    const high = (data[at + (k & 31)]! >> (k >> 5)) & 1;
    out[to + k] = f16FromNumber(f32(f32(d * scale) * (low - (high ? 0 : 4))));
  }
};

/**
 * Q6_K (210 bytes: 128 bytes of low 4 bits, 64 of high 2 bits, 16 signed
 * 8-bit scales, d): in each half of 128 weights, weight k takes the low
 * (k < 64) or high nibble of byte k % 64 and bits 2 * (k / 32) of byte
 * k % 32 of the high bits; a weight is (d * scale) * (q - 32).
 */
const q6: BlockDecoder = (data, view, at, out, to) => {
  const d = half(view, at + 208);
  for (let k = 0; k < K_BLOCK_WEIGHTS; k++) {
    const h = k >> 7, w = k & 127;
    const low = (data[at + 64 * h + (w & 63)]! >> (4 * (w >> 6))) & 0xf;
    const high = (data[at + 128 + 32 * h + (w & 31)]! >> (2 * (w >> 5))) & 3;
    const scale = view.getInt8(at + 192 + (k >> 4));
    out[to + k] = f16FromNumber(f32(f32(d * scale) * ((low | (high << 4)) - 32)));
  }
};

/** The K-quant tensor types by ggml's number: bytes per super-block of 256 weights, and its decoder. */
export const K_QUANTS: Record<number, { block: number; decode: BlockDecoder }> = {
  10: { block: 84, decode: q2 },
  11: { block: 110, decode: q3 },
  12: { block: 144, decode: q4q5(false) },
  13: { block: 176, decode: q4q5(true) },
  14: { block: 210, decode: q6 },
};

/** The float16 bits of the `blocks` super-blocks of K-quant type `type` in `data`. */
export function dequantizeK(type: number, data: Uint8Array, blocks: number): Uint16Array {
  const { block, decode } = K_QUANTS[type]!;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint16Array(blocks * K_BLOCK_WEIGHTS);
  for (let b = 0; b < blocks; b++) decode(data, view, b * block, out, b * K_BLOCK_WEIGHTS);
  return out;
}
