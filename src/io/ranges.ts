// Byte ranges that the entries of a file claim (tensors, zip entries,
// function constants), checked to be disjoint: entries that share bytes are
// how a small "file bomb" loads as gigabytes, so the loaders refuse them.

/** The bytes [start, end) of a file (or of its data section) that one entry reads. */
export interface ClaimedRange {
  /** What errors call the entry: "tensor 'w'", "zip entry 'a.npy'", "the central directory". */
  what: string;
  start: number;
  end: number;
}

/** The first two ranges, in file order, that share a byte (empty ranges share none); undefined when all are disjoint. */
export function firstOverlap(ranges: readonly ClaimedRange[]): [ClaimedRange, ClaimedRange] | undefined {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
  // sorted by start, a range overlaps an earlier one exactly when it starts before the furthest earlier end
  let furthest: ClaimedRange | undefined;
  for (const r of sorted) {
    if (furthest && r.start < furthest.end) return [furthest, r];
    if (!furthest || r.end > furthest.end) furthest = r;
  }
  return undefined;
}

/** The words of an overlap error: "A (bytes s to e) and B (bytes s to e) share bytes". */
export function overlapText([a, b]: [ClaimedRange, ClaimedRange]): string {
  return `${a.what} (bytes ${a.start} to ${a.end}) and ${b.what} (bytes ${b.start} to ${b.end}) share bytes`;
}

/** What the loaders add to an overlap error. */
export const BOMB_NOTE = "each byte belongs to one entry, so the file is corrupt or a file bomb (entries reading the same bytes to load as far more data than the file holds)";
