import * as mx from "./index.js";
import { opsMatching } from "./conformance/opdb.js";
import { runConformance } from "./conformance/runner.js";
const res = await runConformance({ backends: ["webgpu"], ops: opsMatching(process.argv[2] ?? "exp,add"), dtypes: process.argv[3] ? process.argv[3].split(",") : undefined, runs: Number(process.argv[4] ?? 10), seed: 42, onCell: (i, n, l) => process.stderr.write(`${i}/${n} ${l}\n`) });
for (const r of res) console.log(r.op, r.dtype, r.backend, r.status, r.reason ?? "", r.runs, r.skipped, r.elements, r.maxUlp, r.p99Ulp, r.outsideDiffer, r.failure?.repro ?? "");
void mx;
