// A training loop written as MLX users write it (no tidy, no dispose): an MLP
// trained with valueAndGrad and SGD, evaluating the parameters and the loss
// each step. Prints one JSON line: the peak active memory of the first step
// (its working set) and the peak over all steps. Run in a child process by
// test/memory-bounded.test.ts, and by hand for long runs:
// `node --import tsx test/helpers/training-loop.ts <backend> <steps> <width>`.
import * as mx from "../../index.js";
import { deviceFor } from "../../src/device.js";

const [backendName = "cpu", stepsArg = "200", widthArg = "256"] = process.argv.slice(2);
const device = deviceFor(backendName as mx.BackendName);
mx.setDefaultDevice(device);
const width = Number(widthArg);
type Params = { w1: mx.MxArray; w2: mx.MxArray };
let params: Params = {
  w1: mx.multiply(mx.random.normal([width, width], { key: mx.random.key(1) }), 0.05),
  w2: mx.multiply(mx.random.normal([width, 1], { key: mx.random.key(2) }), 0.05),
};
const x = mx.random.normal([64, width], { key: mx.random.key(3) });
const y = mx.random.normal([64, 1], { key: mx.random.key(4) });
const loss = (p: Params) => mx.mean(mx.square(mx.subtract(mx.matmul(mx.maximum(mx.matmul(x, p.w1), 0), p.w2), y)));
const step = mx.valueAndGrad(loss);
await mx.eval(params, x, y);

const backend = mx.registeredBackends().find((b) => b.name === backendName)!;
const active = () => backend.memory().active;
let firstStepPeak = 0;
let peak = 0;
let firstLoss = 0;
let lastLoss = 0;
for (let i = 0; i < Number(stepsArg); i++) {
  backend.resetPeakMemory();
  const [value, grads] = step(params) as [mx.MxArray, Params];
  params = { w1: mx.subtract(params.w1, mx.multiply(grads.w1, 0.01)), w2: mx.subtract(params.w2, mx.multiply(grads.w2, 0.01)) };
  await mx.eval(params, value);
  const stepPeak = Math.max(backend.memory().peak, active());
  if (i === 0) {
    firstStepPeak = stepPeak;
    firstLoss = await value.toNumber();
  }
  peak = Math.max(peak, stepPeak);
  if (i % 50 === 0) lastLoss = await value.toNumber();
}
console.log(JSON.stringify({ backend: backendName, steps: Number(stepsArg), firstStepPeak, peak, ratio: peak / firstStepPeak, firstLoss, lastLoss }));
