// The in-process half of the distributed tests: a describe block that runs
// with MLX_RANK and MLX_HOSTFILE unset (so mx.distributed.init() gives the
// singleton group) and the message an expected error carries.

import { afterAll } from "vitest";

/** Unsets MLX_RANK and MLX_HOSTFILE for the enclosing describe block, and sets them back after it. */
export function withoutRingEnvironment(): void {
  const saved = { rank: process.env.MLX_RANK, hostfile: process.env.MLX_HOSTFILE };
  delete process.env.MLX_RANK;
  delete process.env.MLX_HOSTFILE;
  afterAll(() => Object.assign(process.env, saved.rank === undefined ? {} : { MLX_RANK: saved.rank }, saved.hostfile === undefined ? {} : { MLX_HOSTFILE: saved.hostfile }));
}

/** The message of what `f` throws, or "no error". */
export function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}
