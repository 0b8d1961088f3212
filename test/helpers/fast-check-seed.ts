// Test setup. Property tests run with a fixed fast-check seed so CI is reproducible;
// FC_SEED=<n> picks another seed and FC_SEED=random a fresh one per run
// (the seed of a failure is printed with its counterexample).

import fc from "fast-check";
import { expect } from "vitest";
import { MxArray } from "../../src/array.js";

const env = process.env.FC_SEED;
if (env !== "random") fc.configureGlobal({ seed: env ? Number(env) : 20261125 });

// Arrays are iterable (their rows), so vitest's toEqual would walk them and
// slice down to 0-d arrays; arrays inside compared structures compare by identity.
expect.addEqualityTesters([(a: unknown, b: unknown) => (a instanceof MxArray || b instanceof MxArray ? a === b : undefined)]);
