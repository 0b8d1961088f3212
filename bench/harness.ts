// Benchmark plumbing shared by bench/*.ts: median-of-runs timing after a
// warm-up, the machine description, and the side-by-side table with ratios.

import os from "node:os";

/**
 * Median milliseconds of `fn` over `runs` runs after `warmup` runs, and after
 * at least `warmupMs` of warm-up runs (a GPU left idle clocks down, and takes
 * a few hundred milliseconds of load to clock back up).
 */
export async function timeMs(fn: () => unknown | Promise<unknown>, runs = 7, warmup = 2, warmupMs = 0): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < warmup || performance.now() - start < warmupMs; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  return median(t);
}

/** The median of `xs` (not empty; the upper one of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown cpu";
  return `${cpu} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()}-${os.arch()}`;
}

export interface Row {
  name: string;
  unit: string;
  ours: number;
  /** The peer's number, NaN where it has none. */
  peer: number;
  /** True when a larger value is better (throughput); false for times. */
  higherIsBetter: boolean;
}

/** A row measured beside several peers: one number per peer, NaN where that peer has none. */
export interface MultiRow {
  name: string;
  unit: string;
  ours: number;
  peers: number[];
  higherIsBetter: boolean;
}

/** The side-by-side table with one peer column and its speedup column. */
export function printTable(title: string, peerName: string, rows: Row[]): void {
  writeTable(title, [peerName], ["speedup (mlx-ts vs peer)"], rows.map((r) => ({ ...r, peers: [r.peer] })));
}

/** The side-by-side table with a column per peer, then a speedup column (mlx-ts vs that peer) per peer. */
export function printPeersTable(title: string, peerNames: string[], rows: MultiRow[]): void {
  writeTable(title, peerNames, peerNames.map((p) => `vs ${p}`), rows);
}

function writeTable(title: string, peerNames: string[], ratioNames: string[], rows: MultiRow[]): void {
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const header = ["benchmark", "unit", "mlx-ts", ...peerNames, ...ratioNames];
  // a peer without the op (or absent on this machine) is NaN: shown as n/a
  const body = rows.map((r) => [
    r.name,
    r.unit,
    fmt(r.ours),
    ...r.peers.map((p) => (Number.isNaN(p) ? "n/a" : fmt(p))),
    ...r.peers.map((p) => (Number.isNaN(p) ? "n/a" : `${(r.higherIsBetter ? r.ours / p : p / r.ours).toFixed(2)}x`)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\n${title}\nmachine: ${machine()}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const b of body) console.log(line(b));
}
