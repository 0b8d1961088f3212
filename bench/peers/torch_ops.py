# The PyTorch (CUDA) column of bench/webgpu-ops.ts: times the same ops on the
# same card in one run. Reads a JSON list of [name, args] from argv[1], prints
# JSON {name: milliseconds per op} (median of runs of 10 back-to-back ops).
import json
import sys

import torch
import torch.nn.functional as F


def timed(fn, reps=10, runs=7):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / reps)
    return sorted(times)[len(times) // 2]


def case(name, a):
    dev = "cuda"
    if name == "copy":
        x = torch.rand(a["n"], device=dev)
        y = torch.empty_like(x)
        return lambda: y.copy_(x)
    if name == "unary":
        x, y = torch.rand(a["n"], device=dev), torch.rand(a["n"], device=dev)
        fn = {"add": lambda: x + y, "exp": lambda: torch.exp(x), "sin": lambda: torch.sin(x), "tanh": lambda: torch.tanh(x)}[a["fn"]]
        return fn
    if name == "cumsum":
        x = torch.rand(a["n"], device=dev)
        return lambda: torch.cumsum(x, 0)
    if name == "sort":
        x = torch.rand(a["n"], device=dev)
        return lambda: torch.sort(x, stable=True)
    if name == "softmax":
        x = torch.rand(a["rows"], a["cols"], device=dev)
        return lambda: torch.softmax(x, -1)
    if name == "layerNorm":
        x = torch.rand(a["rows"], a["cols"], device=dev)
        w, b = torch.rand(a["cols"], device=dev), torch.rand(a["cols"], device=dev)
        return lambda: F.layer_norm(x, (a["cols"],), w, b, 1e-5)
    if name == "rmsNorm":
        x = torch.rand(a["rows"], a["cols"], device=dev)
        w = torch.rand(a["cols"], device=dev)
        return lambda: F.rms_norm(x, (a["cols"],), w, 1e-5)
    if name == "attention":
        q = torch.rand(a["b"], a["h"], a["l"], a["d"], device=dev)
        return lambda: F.scaled_dot_product_attention(q, q, q, is_causal=a.get("causal", False))
    raise ValueError(f"no torch counterpart for {name}")


out = {}
for name, args in json.loads(sys.argv[1]):
    key = args.get("key", name)
    try:
        out[key] = timed(case(name, args))
    except Exception as e:  # an op this torch lacks: no peer number
        print(f"torch peer {key}: {e}", file=sys.stderr)
    torch.cuda.empty_cache()
print(json.dumps(out))
