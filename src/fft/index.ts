// mx.fft: MLX's Fast Fourier Transform namespace. Complex and real
// transforms over one, two or n axes (one FFT primitive: cpu reference in
// float64, parallel Stockham / Bluestein kernels on metal and webgpu), their
// sample frequencies and the zero-frequency shifts.
export * from "./complex.js";
export * from "./real.js";
export * from "./freq.js";
export * from "./shift.js";
export type { FftNorm, FftNormOptions } from "./args.js";
export type { FftOptions, FftnOptions } from "./dims.js";
