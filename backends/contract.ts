// A numerics contract: how far a backend's float result may be from the cpu
// reference's (float64, rounded once) and on which inputs. The conformance
// run and validation judge by it; a backend may declare its own per op.

export interface Contract {
  /** CPU reference: allowed distance in ulps of the output dtype from the float64 result rounded once. */
  dtypeUlps?: number;
  /** Allowed error in float32 ulps of the float64 result (0: correctly rounded, compared bit for bit). */
  ulps: number;
  /** Allowed absolute error on top of `ulps`. */
  abs: number;
  /** Inputs the contract covers (each operand). */
  domain: [number, number];
  /** NaN, infinities and subnormals are covered. */
  special: boolean;
  /** Zero inputs are outside the contract (WGSL leaves atan2(0, 0) undefined). */
  nonzero?: boolean;
  /**
   * Condition-bounded (sums, products, matmul): |error| <= c * n * u * magnitude,
   * n the number of terms, u the accumulator's unit roundoff, magnitude the sum
   * of the terms' absolute values; `a` (complex64 bounds: c u |w| + a u per component) an absolute part.
   */
  condition?: { c: number; u: number; a?: number };
  /** Where the bound comes from. */
  source: string;
}
