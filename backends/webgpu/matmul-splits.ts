// How many parts a tiled matmul's K is split into (wgsl/matmul.wgsl's splits,
// the partials then added in order by wgsl/split-sum.wgsl): a rule of the
// product's shape alone, never of the tuned tile, so a result's bits do not
// change when the tuner's choice arrives.

/**
 * Output tiles of 128 x 128 from which a product keeps its K whole (enough
 * workgroups to fill a large GPU), and from which it splits only a K of at
 * least DEEP_K. On the H200 (device time, each class tuned, 2026-12-03) 64
 * tiles lost to the split at K 1024 / 1536 / 2048 (33.6 -> 27.1, 34.7 ->
 * 29.4, 35.5 -> 31.3 TFLOP/s) and gained at K 4096 (35.3 -> 41.7); 36 tiles
 * gained at K 768 (16.4 -> 19.3) and 2048 (20.1 -> 25.8), 16 at K 1024
 * (12.3 -> 20.2).
 */
const WHOLE_TILES = 128;
const FEW_TILES = 64;
const DEEP_K = 4096;
/** Workgroups a split product aims for (two per SM of a 132-SM card). */
const TARGET_TILES = 256;
/** The least depth of one split: a shallower one spends more on storing its partial tile than it gains. */
const MIN_DEPTH = 256;
/** Split depths are multiples of the deepest slab (BK 32), so every split but the last keeps the interior tiles' whole-word loads. */
const DEPTH_STEP = 32;
/** Products of fewer multiply-adds than this stay whole: a second dispatch costs more than their serial K. */
const MIN_WORK = 2 ** 24;

/** A product's split: `splits` parts of `depth` k each (the last one shorter); `splits` 1 is the whole product. */
export interface MatmulSplit {
  splits: number;
  depth: number;
}

let forced: number | undefined;

/** Makes every tiled product split its K into `splits` parts where K allows (undefined: back to the rule); for tests and benchmarks. */
export function forceMatmulSplits(splits: number | undefined): void {
  forced = splits;
}

/** The parts of K as `splits` of depth `depth`, a multiple of DEPTH_STEP (fewer parts where K is too shallow for `want`). */
function splitInto(K: number, want: number): MatmulSplit {
  if (want <= 1 || K <= DEPTH_STEP) return { splits: 1, depth: K };
  const depth = Math.ceil(K / want / DEPTH_STEP) * DEPTH_STEP;
  return { splits: Math.ceil(K / depth), depth };
}

/**
 * The split of C[batches] = A[M, K] @ B[K, N]: whole unless the product is
 * large (MIN_WORK) with few output tiles (FEW_TILES, or WHOLE_TILES with a
 * K of DEEP_K) and a K of two MIN_DEPTH parts, then
 * enough parts of at least MIN_DEPTH to give about TARGET_TILES workgroups.
 * `maxPartialBytes` bounds the float32 partials (splits * batches * M * N).
 */
export function matmulSplit(M: number, N: number, K: number, batches: number, maxPartialBytes: number): MatmulSplit {
  const partialBytes = (s: MatmulSplit) => s.splits * batches * M * N * 4;
  if (M * N * batches === 0) return { splits: 1, depth: K };
  if (forced !== undefined) {
    const s = splitInto(K, forced);
    return partialBytes(s) <= maxPartialBytes ? s : { splits: 1, depth: K };
  }
  const tiles = Math.ceil(M / 128) * Math.ceil(N / 128) * batches;
  const fewTiles = tiles < FEW_TILES || (tiles < WHOLE_TILES && K >= DEEP_K);
  if (M * N * K * batches < MIN_WORK || !fewTiles || K < 2 * MIN_DEPTH) return { splits: 1, depth: K };
  const s = splitInto(K, Math.min(Math.floor(K / MIN_DEPTH), Math.ceil(TARGET_TILES / tiles)));
  return partialBytes(s) <= maxPartialBytes ? s : { splits: 1, depth: K };
}
