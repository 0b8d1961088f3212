// Test sizes. The default profile is sized for CI's 2-core machine (a test
// file about a minute with a cold shader cache); MLX_TS_TEST_PROFILE=full runs
// the full sizes and sweeps, which kernel work should pass before it lands.

/** Whether the full profile runs (MLX_TS_TEST_PROFILE=full). */
export const fullProfile = process.env.MLX_TS_TEST_PROFILE === "full";

/** `ci` in the default profile, `full` in the full one. */
export function sized<T>(ci: T, full: T): T {
  return fullProfile ? full : ci;
}

/**
 * All of `items` in the full profile; in the default one only item i (mod
 * their count), so that a loop over cases indexed by i still meets every
 * item across its cases (each case's kernel variants compile on first use).
 */
export function oneOrAll<T>(items: readonly T[], i: number): readonly T[] {
  return fullProfile ? items : [items[i % items.length]!];
}
