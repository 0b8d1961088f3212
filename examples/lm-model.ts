// The character-level transformer of examples/lm.ts: token embedding, pre-norm
// blocks of RMSNorm + causal multi-head self-attention with rotary positions
// (nn.RoPE on queries and keys) + a GELU MLP, a final RMSNorm and a linear head.

import * as mx from "../index.js";

const { nn } = mx;

export interface LMConfig {
  vocabSize: number;
  dims: number;
  heads: number;
  layers: number;
  /** The longest sequence the model is trained on (RoPE itself has no limit). */
  context: number;
}

/** nn.MultiHeadAttention with nn.RoPE applied to the projected queries and keys of each head. */
export class RoPEAttention extends nn.MultiHeadAttention {
  rope: mx.nn.RoPE;
  constructor(dims: number, heads: number) {
    super(dims, heads);
    this.rope = new nn.RoPE(dims / heads);
  }

  override forward(queries: mx.MxArray, keys: mx.MxArray, values: mx.MxArray, mask?: mx.nn.AttentionMask | null): mx.MxArray {
    // [B, len, dims] -> [B, heads, len, dims / heads] and back (unflatten and flatten: views whose shapes follow the input's)
    const heads = (a: mx.MxArray) => mx.transpose(mx.unflatten(a, -1, [this.numHeads, -1]), [0, 2, 1, 3]);
    const q = this.rope.forward(heads(this.query_proj.forward(queries)));
    const k = this.rope.forward(heads(this.key_proj.forward(keys)));
    const v = heads(this.value_proj.forward(values));
    const out = mx.fast.scaledDotProductAttention(q, k, v, { scale: 1 / Math.sqrt(q.shape[3]!), mask: mask ?? null });
    return this.out_proj.forward(mx.flatten(mx.transpose(out, [0, 2, 1, 3]), 2, 3));
  }
}

/** x + attention(norm(x)), then h + mlp(norm(h)). */
export class Block extends nn.Module {
  attentionNorm: mx.nn.RMSNorm;
  attention: RoPEAttention;
  mlpNorm: mx.nn.RMSNorm;
  mlpIn: mx.nn.Linear;
  mlpOut: mx.nn.Linear;
  constructor(dims: number, heads: number) {
    super();
    this.attentionNorm = new nn.RMSNorm(dims);
    this.attention = new RoPEAttention(dims, heads);
    this.mlpNorm = new nn.RMSNorm(dims);
    this.mlpIn = new nn.Linear(dims, 4 * dims);
    this.mlpOut = new nn.Linear(4 * dims, dims);
  }

  forward(x: mx.MxArray): mx.MxArray {
    const y = this.attentionNorm.forward(x);
    const h = mx.add(x, this.attention.forward(y, y, y, "causal"));
    return mx.add(h, this.mlpOut.forward(nn.gelu(this.mlpIn.forward(this.mlpNorm.forward(h)))));
  }
}

/** Next-character logits [B, L, vocabSize] of token ids [B, L]. */
export class TinyLM extends nn.Module {
  embedding: mx.nn.Embedding;
  blocks: Block[];
  norm: mx.nn.RMSNorm;
  head: mx.nn.Linear;
  constructor(config: LMConfig) {
    super();
    this.embedding = new nn.Embedding(config.vocabSize, config.dims);
    this.blocks = Array.from({ length: config.layers }, () => new Block(config.dims, config.heads));
    this.norm = new nn.RMSNorm(config.dims);
    this.head = new nn.Linear(config.dims, config.vocabSize);
  }

  forward(tokens: mx.MxArray): mx.MxArray {
    let x = this.embedding.forward(tokens);
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.norm.forward(x));
  }

  /** The number of parameters. */
  parameterCount(): number {
    return mx.utils.treeFlatten(this.parameters()).reduce((s, [, p]) => s + (p as mx.MxArray).size, 0);
  }
}
