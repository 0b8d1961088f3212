// Sampling text from the language model of examples/lm.ts: each next character
// is drawn from softmax(logits / temperature) of the last `context` characters,
// with keys split from one seeded mx.random key (the same key, the same text).

import * as mx from "../index.js";
import type { TinyLM } from "./lm-model.js";

/** `count` token ids sampled after the token ids `prompt` (not empty) at `temperature` > 0, drawn with `key`. */
export async function sample(model: TinyLM, prompt: readonly number[], count: number, o: { temperature: number; context: number; key: mx.MxArray }): Promise<number[]> {
  if (prompt.length === 0) throw new Error("sample: the prompt needs at least one token");
  if (!(o.temperature > 0)) throw new Error(`sample: temperature must be > 0, got ${o.temperature}`);
  const tokens = [...prompt];
  let key = o.key;
  for (let i = 0; i < count; i++) {
    const [next, sub] = mx.random.split(key);
    key = next!;
    const window = mx.array([tokens.slice(-o.context)], mx.int32);
    const logits = mx.slice(model.forward(window), [0, -1, 0], [1, null, null]); // [1, 1, vocab]: the last position
    const id = mx.random.categorical(mx.divide(mx.reshape(logits, [-1]), o.temperature), { key: sub! });
    tokens.push(await id.toNumber());
  }
  return tokens.slice(prompt.length);
}
