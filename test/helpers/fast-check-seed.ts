// Property tests run with a fixed fast-check seed so CI is reproducible;
// FC_SEED=<n> picks another seed and FC_SEED=random a fresh one per run
// (the seed of a failure is printed with its counterexample).

import fc from "fast-check";

const env = process.env.FC_SEED;
if (env !== "random") fc.configureGlobal({ seed: env ? Number(env) : 20261125 });
