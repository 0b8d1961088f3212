import * as mx from "./index.js";
const x0 = mx.array(new Float32Array(16).fill(1));
const t0 = performance.now();
for (let r = 0; r < 100; r++) {
  let x = x0;
  for (let i = 0; i < 500; i++) x = mx.add(mx.multiply(x, 1.0001), 0.5);
  await mx.eval(x);
}
console.log("us/op", (performance.now() - t0) * 1000 / 100000);
