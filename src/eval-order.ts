// The order in which communications run across evals that overlap: each
// eval queues its communication nodes as it is called, and a node runs only
// once every node queued before it has run (or its eval has ended), as MLX's
// evals run in call order on one communication stream. So every process runs
// its communications in its program's order, whatever each device's timing.

import type { MxArray } from "./array.js";

/** Communication nodes of evals in progress that have not run yet, in the order the evals were called and walk their nodes. */
const queued = new Set<MxArray>();

/** Settles (and is replaced) whenever a node leaves the queue. */
let moved = signal();

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Queues the nodes of an eval's `order` that keep the order of evals (communications); whether there were any. */
export function enqueueOrdered(order: readonly MxArray[]): boolean {
  let any = false;
  for (const node of order) {
    if (node.primitive?.keepsEvalOrder) {
      queued.add(node);
      any = true;
    }
  }
  return any;
}

/** The first node of the queue (undefined: empty). */
const head = (): MxArray | undefined => queued.values().next().value;

/** Whether `node` may run now: it is not queued, or every node queued before it has left. */
export function isTurnOf(node: MxArray): boolean {
  return !queued.has(node) || head() === node;
}

/** Waits until `node` may run (see isTurnOf). */
export async function turnOf(node: MxArray): Promise<void> {
  while (!isTurnOf(node)) await moved.promise;
}

/** Takes `nodes` out of the queue (they ran, or their eval ended without running them), letting the next ones run. */
export function leaveQueue(nodes: Iterable<MxArray>): void {
  let left = false;
  for (const node of nodes) left = queued.delete(node) || left;
  if (!left) return;
  const was = moved;
  moved = signal();
  was.resolve();
}

/**
 * Whether a synchronous eval, which cannot wait, may run `node` now: false
 * for a communication while others that an earlier eval queued have not run
 * (run first, it would pair with another message on the other processes).
 */
export function maySyncRun(node: MxArray): boolean {
  return !node.primitive?.keepsEvalOrder || queued.size === 0 || head() === node;
}
