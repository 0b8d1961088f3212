// The order-m Hadamard matrices (m = 12, 20, 28) of hadamardTransform's
// lengths m * 2^k, generated from their constructions: order 12 by Paley's
// construction II (q = 5), orders 20 and 28 by Williamson's (n = 5, 7).

/** The orders m of the lengths m * 2^k that hadamardTransform takes besides 2^k. */
export const HADAMARD_ORDERS = [12, 20, 28] as const;
export type HadamardOrder = (typeof HADAMARD_ORDERS)[number];

/** The Legendre symbol (a | q) for an odd prime q: 0 for a = 0 mod q, 1 for a nonzero square mod q, else -1. */
function legendre(a: number, q: number): number {
  const r = ((a % q) + q) % q;
  if (r === 0) return 0;
  for (let x = 1; x < q; x++) if ((x * x) % q === r) return 1;
  return -1;
}

/**
 * Paley's construction II for a prime q = 1 mod 4: the symmetric conference
 * matrix C = [[0, 1^T], [1, Q]] of order q + 1 (Jacobsthal's Q_ij = (j - i | q)),
 * each entry c replaced by the 2 x 2 block c [[1, 1], [1, -1]], and each 0 by
 * [[1, -1], [-1, -1]]: a symmetric Hadamard matrix of order 2 (q + 1).
 */
function paleyII(q: number): number[][] {
  const conference = (i: number, j: number) => (i === 0 || j === 0 ? (i === j ? 0 : 1) : legendre(j - i, q));
  const block = (c: number, r: number, s: number) => (c === 0 ? (r === 0 && s === 0 ? 1 : -1) : r === 1 && s === 1 ? -c : c);
  const order = 2 * (q + 1);
  return Array.from({ length: order }, (_, i) => Array.from({ length: order }, (_, j) => block(conference(i >> 1, j >> 1), i & 1, j & 1)));
}

/**
 * Williamson's construction for odd n <= 9: the symmetric circulants
 * X_S = 2 [j - i in +-S] - J with S = {0} for the first 4 - t of A, B, C, D and
 * S = {0, s} for s = 1..t after them (t = (n - 1) / 2) satisfy
 * A^2 + B^2 + C^2 + D^2 = 4n I, so Williamson's array
 * [[A, B, C, D], [-B, A, -D, C], [-C, D, A, -B], [-D, -C, B, A]] is a
 * Hadamard matrix of order 4n.
 */
function williamson(n: number): number[][] {
  const t = (n - 1) / 2;
  const sets = [...Array.from({ length: 4 - t }, () => 0), ...Array.from({ length: t }, (_, i) => i + 1)];
  const circulant = (s: number, i: number, j: number) => {
    const d = (((j - i) % n) + n) % n;
    return d === 0 || d === s || d === n - s ? 1 : -1;
  };
  // block (r, c) of the array: which of A, B, C, D (0..3), and its sign
  const which = [[0, 1, 2, 3], [1, 0, 3, 2], [2, 3, 0, 1], [3, 2, 1, 0]];
  const sign = [[1, 1, 1, 1], [-1, 1, -1, 1], [-1, 1, 1, -1], [-1, -1, 1, 1]];
  return Array.from({ length: 4 * n }, (_, i) =>
    Array.from({ length: 4 * n }, (_, j) => {
      const r = Math.floor(i / n), c = Math.floor(j / n);
      return sign[r]![c]! * circulant(sets[which[r]![c]!]!, i % n, j % n);
    }),
  );
}

const generated = new Map<HadamardOrder, number[][]>();

/** The m x m Hadamard matrix (rows of +-1) that hadamardTransform applies for lengths m * 2^k. */
export function hadamardMatrix(m: HadamardOrder): number[][] {
  let h = generated.get(m);
  if (!h) generated.set(m, (h = m === 12 ? paleyII(5) : williamson((m / 4) as 5 | 7)));
  return h;
}
