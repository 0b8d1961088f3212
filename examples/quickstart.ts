// Quick start: build a small lazy graph, evaluate it on the default device
// (the CPU reference unless MLX_TS_DEVICE says otherwise) and print it.
// Run with `npm run example`.

import * as mx from "../index.js";

const x = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32);
const w = mx.random.normal([3, 2], { key: mx.random.key(0) });

// Nothing is computed yet: these calls only build the graph.
const logits = mx.matmul(x, w);
const probs = mx.softmax(logits, { axis: -1 });
const rowSums = probs.sum({ axis: 1 });

await mx.eval(probs, rowSums);

console.log(`device: ${mx.defaultDevice()}`);
// mx.print reads from any device (webgpu's reads are asynchronous) and prints like console.log
await mx.print("x =", x);
await mx.print("w =", w);
await mx.print("softmax(x @ w) =", probs);
await mx.print("row sums =", rowSums);
await mx.print("f16 arithmetic stays f16:", mx.add(mx.array([1.5, 2.25], mx.float16), 1));
console.log("argmax per row:", (await mx.argmax(probs, { axis: 1 }).tolist()) as number[]);
