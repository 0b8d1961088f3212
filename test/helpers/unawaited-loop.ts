// A loop that calls mx.eval without awaiting it, as a line-by-line port of
// MLX's synchronous `mx.eval(w)` reads: each step's result is dropped by the
// next. Prints one JSON line: the active memory when the loop ends (nothing
// could be freed: the program never yielded), after it yields, whether the
// memory warning came, and the result. Run in a child process by
// test/memory-bounded.test.ts: `node --import tsx test/helpers/unawaited-loop.ts <backend> <steps>`.
import * as mx from "../../index.js";
import { deviceFor } from "../../src/device.js";

const [backendName = "cpu", stepsArg = "120"] = process.argv.slice(2);
mx.setDefaultDevice(deviceFor(backendName as mx.BackendName));
const warnings: string[] = [];
process.on("warning", (w) => warnings.push(w.name));
let w = mx.zeros([512, 512]); // 1 MiB a step
for (let i = 0; i < Number(stepsArg); i++) {
  w = mx.add(mx.multiply(w, 0.5), 1);
  void mx.eval(w);
}
const activeAtEnd = mx.getActiveMemory();
await mx.eval(w);
for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
const activeAfterYield = mx.getActiveMemory();
console.log(JSON.stringify({ activeAtEnd, activeAfterYield, warned: warnings.includes("MlxTsMemoryWarning"), value: await mx.max(w).item() }));
