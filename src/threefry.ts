// The Threefry-2x32 block function (20 rounds, Random123's constants) and the
// MLX counter layout that turns one key into a stream of 32-bit words. Shared
// by the CPU reference kernel (once per key of a batch) and the host-side
// global key sequence.

/** The rotation amounts of the even and odd groups of four rounds. */
const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
] as const;

/** The key schedule's third word is k0 ^ k1 ^ this (Skein's parity constant). */
const PARITY = 0x1bd11bda;

/** Threefry-2x32-20 of counter (c0, c1) under key (k0, k1); writes the pair into `out`. */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number, out: Uint32Array | number[]): void {
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ PARITY) >>> 0];
  let x0 = (c0 + ks[0]!) >>> 0;
  let x1 = (c1 + ks[1]!) >>> 0;
  for (let i = 0; i < 5; i++) {
    for (const r of ROTATIONS[i % 2]!) {
      x0 = (x0 + x1) >>> 0;
      x1 = ((x1 << r) | (x1 >>> (32 - r))) >>> 0;
      x1 = (x1 ^ x0) >>> 0;
    }
    x0 = (x0 + ks[(i + 1) % 3]!) >>> 0;
    x1 = (x1 + ks[(i + 2) % 3]! + i + 1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
}

/**
 * `nbytes` random bytes from key (k0, k1) in MLX's layout: the output words are
 * split in two halves; counter (i, half + i) fills word i and word half + i,
 * and an odd word count takes the first word of counter (0, 0) for the middle.
 */
export function threefryBytes(k0: number, k1: number, nbytes: number): Uint8Array {
  const words = Math.ceil(nbytes / 4);
  const half = Math.floor(words / 2);
  const odd = words % 2 === 1;
  const out = new Uint32Array(words);
  const pair = new Uint32Array(2);
  for (let i = 0; i < half; i++) {
    threefry2x32(k0, k1, i, half + (odd ? 1 : 0) + i, pair);
    out[i] = pair[0]!;
    out[half + (odd ? 1 : 0) + i] = pair[1]!;
  }
  if (odd) {
    threefry2x32(k0, k1, half, 0, pair);
    out[half] = pair[0]!;
  }
  return new Uint8Array(out.buffer, 0, nbytes);
}
