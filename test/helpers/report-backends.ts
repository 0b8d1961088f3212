// Global setup: prints the backends the suite runs on and those skipped with
// their reason; with MLX_TS_REQUIRE_BACKENDS=cpu,webgpu,... (set by CI) a
// required backend that cannot start fails the run.

import { registeredBackends, unavailableBackends } from "../../index.js";

export default function reportBackends(): void {
  const ran = registeredBackends().map((b) => b.displayName);
  const skipped = [...unavailableBackends()].map(([name, why]) => `${name} (${why})`);
  console.log(`mlx-ts backends under test: ${ran.join(", ")}${skipped.length ? `; skipped: ${skipped.join("; ")}` : ""}`);
  const required = (process.env.MLX_TS_REQUIRE_BACKENDS ?? "").split(",").filter(Boolean);
  const missing = required.filter((r) => !registeredBackends().some((b) => b.name === r));
  if (missing.length) {
    throw new Error(`required backends did not start: ${missing.map((m) => `${m}${unavailableBackends().get(m as never) ? ` (${unavailableBackends().get(m as never)})` : ""}`).join(", ")}`);
  }
}
