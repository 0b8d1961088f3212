// Linear algebra and signal processing on the digits-sized image below: a
// least-squares polynomial fit through mx.linalg.qr and solveTriangular, and
// a Gaussian blur computed twice, as a convolution (mx.conv2d) and as a
// product of spectra (mx.fft.rfft2), which agree to float32 rounding.
// Run with `npm run example:signal` (MLX_TS_DEVICE=webgpu or metal for the
// whole program: qr, the convolution and the FFT have kernels on every backend).

import * as mx from "../index.js";

const device = process.env.MLX_TS_DEVICE === "webgpu" ? mx.webgpu : process.env.MLX_TS_DEVICE === "metal" ? mx.metal : mx.cpu;
const o = { stream: device };

// ---- least squares: fit y = 1 - 2x + 0.5x^3 (plus noise) with a cubic ----
const n = 200;
const x = mx.linspace(-2, 2, n, o);
const noise = mx.multiply(mx.random.normal([n], { key: mx.random.key(0), ...o }), 0.05, o);
const y = mx.add(mx.add(mx.subtract(1, mx.multiply(2, x, o), o), mx.multiply(0.5, mx.power(x, 3, o), o), o), noise, o);
// the Vandermonde matrix [1, x, x^2, x^3]; min |A c - y| by QR: R c = Q^T y
const A = mx.stack([0, 1, 2, 3].map((k) => mx.power(x, k, o)), { axis: 1, ...o });
const [Q, R] = mx.linalg.qr(A, o);
const coefficients = mx.linalg.solveTriangular(R, mx.matmul(mx.transpose(Q, o), mx.expandDims(y, 1, o), o), { upper: true, ...o });
const fitted = (await mx.reshape(coefficients, [4], o).tolist()) as number[];
console.log("least-squares cubic fit (true 1, -2, 0, 0.5):", fitted.map((c) => c.toFixed(3)).join(", "));

// ---- a 5x5 Gaussian blur of a 32x32 image, two ways ----
const H = 32, W = 32, K = 5;
const rows = mx.expandDims(mx.arange(H, o), 1, o), cols = mx.expandDims(mx.arange(W, o), 0, o);
// a ring and a bar: enough structure for the blur to matter
const r2 = mx.add(mx.square(mx.subtract(rows, 16, o), o), mx.square(mx.subtract(cols, 12, o), o), o);
const image = mx.astype(mx.logicalOr(mx.logicalAnd(mx.greater(r2, 30, o), mx.less(r2, 70, o), o), mx.logicalAnd(mx.greater(cols, 24, o), mx.less(rows, 28, o), o), o), mx.float32, o);
const t = mx.subtract(mx.arange(K, o), (K - 1) / 2, o);
const g1 = mx.exp(mx.multiply(mx.square(t, o), -0.5, o), o);
const g2 = mx.outer(g1, g1, o);
const kernel = mx.divide(g2, mx.sum(g2, o), o);

// (1) as a convolution, zero padding keeping the size (NHWC input, OHWI weight; flipped: a true convolution)
const byConv = mx.reshape(
  mx.convGeneral(mx.reshape(image, [1, H, W, 1], o), mx.reshape(kernel, [1, K, K, 1], o), { padding: (K - 1) / 2, flip: true, ...o }),
  [H, W],
  o,
);

// (2) as a product of spectra: both zero-padded to (H + K - 1) x (W + K - 1), so the circular convolution is the linear one
const P = [H + K - 1, W + K - 1];
const full = mx.fft.irfft2(mx.multiply(mx.fft.rfft2(image, P, o), mx.fft.rfft2(kernel, P, o), o), P, o);
const byFft = mx.slice(full, [(K - 1) / 2, (K - 1) / 2], [(K - 1) / 2 + H, (K - 1) / 2 + W], undefined, o);

const diff = await mx.max(mx.abs(mx.subtract(byConv, byFft, o), o), o).toNumber();
console.log(`blur by conv2d and by FFT: max |difference| ${diff.toExponential(1)} (pixel values 0..1)`);
const pixel = async (r: number, c: number) => (await mx.slice(byConv, [r, c], [r + 1, c + 1], undefined, o).toNumber()).toFixed(4);
console.log(`blurred: center of the ring ${await pixel(16, 12)}, on the ring ${await pixel(16, 20)}, beside it ${await pixel(16, 22)}`);
if (!(diff < 1e-5)) throw new Error(`the two blurs disagree by ${diff}`);
