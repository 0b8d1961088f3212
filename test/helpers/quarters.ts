// Deterministic test data whose sums and products stay exact in float32:
// multiples of 1/4 in [-2, 2] from a small linear congruential generator.

/** `n` multiples of 1/4 in [-2, 2], the same for the same `seed`. */
export function quarters(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((s / 2 ** 31) * 17 - 8) / 4;
  });
}
