// Linear and logistic regression trained with mx.valueAndGrad and plain SGD
// on data generated in the program, printing the loss as it falls.
// Run with `npm run example:regression` (MLX_TS_DEVICE=webgpu or metal to
// train on another backend).

import * as mx from "../index.js";

const [kx, kn, kl] = [mx.random.key(1), mx.random.key(2), mx.random.key(3)];

// ---- linear regression: y = X w* + 0.5 + noise ----
const N = 256, D = 4;
const X = mx.random.normal([N, D], { key: kx });
const wTrue = mx.array([[1.5], [-2], [0.7], [3]], mx.float32);
const y = mx.add(mx.add(mx.matmul(X, wTrue), 0.5), mx.multiply(mx.random.normal([N, 1], { key: kn }), 0.1));

type Model = { w: mx.MxArray; b: mx.MxArray };
type Loss = (p: Model, x: mx.MxArray, t: mx.MxArray) => mx.MxArray;

/** 100 steps of plain SGD on `loss` from zero weights, printing the loss every 20 steps. */
async function train(title: string, loss: Loss, x: mx.MxArray, t: mx.MxArray, learningRate: number): Promise<Model> {
  const step = mx.valueAndGrad(loss);
  let model: Model = { w: mx.zeros([D, 1]), b: mx.zeros([1]) };
  console.log(`${title} (SGD, learning rate ${learningRate})`);
  for (let i = 0; i <= 100; i++) {
    const [value, grads] = step(model, x, t);
    model = mx.utils.treeMap((p, g) => mx.subtract(p, mx.multiply(g, learningRate)), model, grads);
    await mx.eval(model);
    if (i % 20 === 0) console.log(`  step ${String(i).padStart(3)}: loss ${(await value.toNumber()).toFixed(5)}`);
  }
  return model;
}

const mse: Loss = (p, x, t) => mx.mean(mx.square(mx.subtract(mx.add(mx.matmul(x, p.w), p.b), t)));
const linear = await train("linear regression", mse, X, y, 0.1);
console.log("  learned w:", (await linear.w.reshape(D).tolist() as number[]).map((v) => v.toFixed(2)).join(", "), " b:", (await linear.b.toNumber()).toFixed(2));

// ---- logistic regression: labels from a linear boundary, 10% flipped ----
const logits = mx.matmul(X, mx.array([[2], [-1], [0], [1]], mx.float32));
const flip = mx.less(mx.random.uniform(0, 1, [N, 1], { key: kl }), 0.1);
const labels = mx.astype(mx.notEqual(mx.greater(logits, 0), flip), mx.float32);

/** Mean binary cross-entropy from logits z: log(1 + e^z) - t z, written stably as logaddexp(0, z) - t z. */
const bce: Loss = (p, x, t) => {
  const z = mx.add(mx.matmul(x, p.w), p.b);
  return mx.mean(mx.subtract(mx.logaddexp(0, z), mx.multiply(t, z)));
};
const logistic = await train("logistic regression", bce, X, labels, 0.5);
const predicted = mx.greater(mx.add(mx.matmul(X, logistic.w), logistic.b), 0);
const accuracy = mx.mean(mx.astype(mx.equal(predicted, mx.astype(labels, mx.bool)), mx.float32));
console.log(`  training accuracy: ${((await accuracy.toNumber()) * 100).toFixed(1)}% (10% of the labels were flipped)`);
