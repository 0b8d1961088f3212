// A conformance subset in the browser: a few ops and random graphs in float32
// on webgpu (navigator.gpu) against the cpu reference, through the same runner
// as `mlx-ts conformance` (conformance/runner.ts; no NumPy here), shown as a
// table with the verdict, the cells published as JSON.

import * as mx from "../browser.js";
import { opsMatching } from "../conformance/opdb.js";
import { summarize } from "../conformance/report.js";
import { runConformance } from "../conformance/runner.js";
import { addRow, print, progress, publish, publishError } from "./page.js";

const OPS = "add,subtract,multiply,divide,exp,log,tanh,sqrt,sum,max,argmax,matmul,softmax";
const DTYPES = ["float32"];
const RUNS = 20;
const GRAPHS = 5;
const SEED = 20261125;

try {
  if (!mx.isAvailable(mx.webgpu)) {
    const reason = mx.unavailableBackends().get("webgpu") ?? "not registered";
    print("conformance", `not run: webgpu is unavailable in this browser (${reason})`);
    publish("conformance", { ran: false, reason });
  } else {
    const started = performance.now();
    const cells = await runConformance({
      backends: ["webgpu"],
      ops: opsMatching(OPS),
      dtypes: DTYPES,
      runs: RUNS,
      graphs: GRAPHS,
      seed: SEED,
      onCell: (done, total, label) => progress("conformance", `${done}/${total} ${label}`),
    });
    const seconds = (performance.now() - started) / 1000;
    const s = summarize(cells);
    print("conformance", `${s.verdict}  ${s.text}; ${seconds.toFixed(1)} s`);
    for (const c of cells) {
      addRow("conformance", [c.op, c.dtype, c.backend, c.status, c.maxUlp === undefined ? "" : String(c.maxUlp), c.contract ?? "", c.failure?.message ?? c.reason ?? ""], c.status === "n/a" ? "na" : c.status);
    }
    for (const c of cells.filter((x) => x.failure)) print("conformance", `\n${c.op} ${c.dtype} on ${c.backend}: ${c.failure!.message}\n${c.failure!.repro}`);
    publish("conformance", {
      ran: true,
      ops: OPS.split(","),
      dtypes: DTYPES,
      runs: RUNS,
      graphs: GRAPHS,
      seed: SEED,
      verdict: s.verdict,
      summary: s.text,
      seconds,
      cells: cells.map((c) => ({ op: c.op, dtype: c.dtype, backend: c.backend, status: c.status, maxUlp: c.maxUlp, contract: c.contract, failure: c.failure?.message, reason: c.reason })),
    });
  }
} catch (e) {
  publishError("conformance", e);
}
