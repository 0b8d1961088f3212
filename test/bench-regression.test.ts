// The performance regression check: bench/regression.ts's small-size rows on
// the webgpu (lavapipe in CI) and cpu backends, each a ratio against a
// reference of the same run, held against bench/regression-baseline.json
// (webgpu's rows on the baseline's adapter only: heldRegressionBackends).

import { describe, expect, it } from "vitest";
import { heldRegressionBackends, measureRegression, readBaseline, type RegressionRow } from "../bench/regression.js";

/**
 * A row fails when its ratio falls below its baseline (the median of five
 * runs) divided by FACTOR. Five runs on the 2-core development machine at load
 * average 18 (2026-11-30) put every row within 3.3x below its median and
 * within 5.3x max/min (docs/benchmarks.md); a kernel that regresses to a
 * serial loop loses 10x to 100x. A row under the bar is measured once more
 * before it counts, so one burst of load cannot fail it.
 */
const FACTOR = 5;

const RECORD = "re-record the baseline with `npx tsx bench/regression.ts --write-baseline`";

const baseline = readBaseline();
const { held: backends, mismatch } = heldRegressionBackends(baseline);

describe("performance regression (ratios against references of the same run)", () => {
  it("a software adapter (CI's lavapipe) is the baseline's", () => {
    expect(mismatch?.software ? mismatch.adapter : baseline.adapter, `the webgpu rows' baseline was recorded on another software adapter: ${RECORD}`).toBe(baseline.adapter);
  });

  it(`every row of ${backends.join(" and ")} stays within FACTOR of its baseline ratio${mismatch ? ` (webgpu's rows not held: ${mismatch.adapter} is not the baseline's adapter)` : ""}`, async () => {
    const below = (r: RegressionRow) => r.ratio < baseline.rows[r.key]! / FACTOR;
    const rows = await measureRegression(backends);
    expect(rows.filter((r) => baseline.rows[r.key] === undefined).map((r) => r.key), `rows without a baseline: ${RECORD}`).toEqual([]);
    const suspects = new Set(rows.filter(below).map((r) => r.key));
    const again = suspects.size ? await measureRegression(backends, (key) => suspects.has(key)) : [];
    const slow = again.filter(below).map((r) => `${r.key}: ratio ${r.ratio.toPrecision(3)} < baseline ${baseline.rows[r.key]} / ${FACTOR} (reference: ${r.reference})`);
    expect(slow, `rows slower than their baseline by more than ${FACTOR}x (if intended, ${RECORD})`).toEqual([]);
  }, 240_000);
});
