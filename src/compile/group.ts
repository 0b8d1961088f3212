// A fused group: the description of a chain of elementwise nodes (or of one
// reduction with its elementwise prologue and epilogue) that compile hands to
// a backend's `fuse` capability (backends/backend.ts). Plain data plus the
// primitives themselves, so a backend reads their names and params.

import type { DType } from "../dtype.js";
import type { Primitive } from "../primitive.js";

/** One node of a group: its primitive, its operands and its output dtype. */
export interface FusedNode {
  readonly primitive: Primitive;
  /**
   * Operand k below `inputs.length` is the group's input k; any other is the
   * output of node `k - inputs.length` (an earlier node of the group).
   */
  readonly operands: readonly number[];
  readonly dtype: DType;
}

/**
 * Elementwise nodes (unary, binary, where, astype, broadcast) computed in one
 * pass over the last node's shape (every node's shape broadcasts to it): the
 * inputs are read broadcast to it, each node rounds to its own dtype, and the
 * output nodes are written, each at its own shape (a smaller one is the
 * broadcast source of the last node's, so any of its copies is the value).
 */
export interface FusedGroup {
  /** The dtypes of the group's inputs (arrays computed outside it). */
  readonly inputs: readonly DType[];
  /** The nodes in order. */
  readonly nodes: readonly FusedNode[];
  /** The nodes (indices into `nodes`) whose values leave the group, in output order; the last node is one. */
  readonly outputs: readonly number[];
  /**
   * A reduction group: the index (into `nodes`) of its one Reduce node
   * (sum, prod, max or min). The nodes before it are its prologue, computed
   * over its input's shape (their values never leave the group); the nodes
   * after it are its epilogue, each of the reduction's output shape; the
   * outputs are among the reduction and its epilogue. Absent: every node is
   * elementwise (the description above).
   */
  readonly reduce?: number | undefined;
  /** Names the group's structure (primitives, parameters, dtypes, operands): equal keys, equal kernels. */
  readonly key: string;
}
