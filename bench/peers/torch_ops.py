# The PyTorch (CUDA) column of bench/webgpu.ts, webgpu-ops.ts, webgpu-rows.ts
# and webgpu-layout.ts: times the same ops on the same card in one run. Reads
# a JSON list of [name, args] from argv[1], prints JSON {key: milliseconds per
# op} (median of runs of 10 back-to-back ops; the eager chain: wall time of one
# chain to the device wait), each after a warm-up of args["warmup_ms"]
# (default 0) plus three calls.
import json
import sys
import time

import torch
import torch.nn.functional as F


def warm_up(fn, warmup_ms):
    """Three calls, then more until warmup_ms have passed (an idle GPU clocks down)."""
    start = time.perf_counter()
    i = 0
    while i < 3 or (time.perf_counter() - start) * 1000 < warmup_ms:
        fn()
        torch.cuda.synchronize()
        i += 1


def timed(fn, warmup_ms, reps=10, runs=7):
    warm_up(fn, warmup_ms)
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


def timed_wall(fn, warmup_ms, runs=21):
    warm_up(fn, warmup_ms)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def chain(ops):
    x0 = torch.ones(16, device="cuda")

    def run():
        x = x0
        for _ in range(ops // 2):
            x = x * 1.0001 + 0.5
        return x

    return run


DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16, "int8": torch.int8}


def normal(shape, dtype):
    """A standard-normal float32 tensor on the device, cast to dtype (as the webgpu rows make theirs)."""
    return torch.randn(shape, device="cuda").to(DTYPES[dtype])


def reduction(op, x, axis):
    """op over axis, or over the whole array where axis is None (softmax and logsumexp: along an axis)."""
    whole = axis is None
    return {
        "sum": lambda: torch.sum(x) if whole else torch.sum(x, axis),
        "mean": lambda: torch.mean(x) if whole else torch.mean(x, axis),
        "max": lambda: torch.amax(x) if whole else torch.amax(x, axis),
        "argmax": lambda: torch.argmax(x, axis),
        "logsumexp": lambda: torch.logsumexp(x, axis),
        "softmax": lambda: torch.softmax(x, axis),
    }[op]


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
    if name == "sum":
        x = torch.rand(a["n"], device=dev)
        return lambda: torch.sum(x)
    if name == "matmul":
        m, k = a.get("m", a["n"]), a.get("k", a["n"])
        x, y = torch.rand(m, k, device=dev), torch.rand(k, a["n"], device=dev)
        return lambda: x @ y
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
    if name == "reduce":
        return reduction(a["op"], normal(a["shape"], a["dtype"]), a["axis"])
    if name == "permute":
        x = normal(a["shape"], a["dtype"])
        return lambda: x.permute(*a["axes"]).contiguous()
    if name == "cat":
        xs = [normal(shape, a["dtype"]) for shape in a["shapes"]]
        return lambda: torch.cat(xs, a["axis"])
    if name == "pad":
        x = normal(a["shape"], a["dtype"])
        return lambda: F.pad(x, (a["by"], a["by"]) * x.dim())
    raise ValueError(f"no torch counterpart for {name}")


if not torch.cuda.is_available():
    sys.exit("torch has no CUDA device")
# float32 matmuls in full float32 (cuBLAS's plain SGEMM), as mlx-ts computes them
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
out = {}
for name, args in json.loads(sys.argv[1]):
    key = args.get("key", name)
    try:
        warmup_ms = args.get("warmup_ms", 0)
        out[key] = timed_wall(chain(args["ops"]), warmup_ms) if name == "chain" else timed(case(name, args), warmup_ms)
    except Exception as e:  # an op this torch lacks: no peer number
        print(f"torch peer {key}: {e}", file=sys.stderr)
    torch.cuda.empty_cache()
print(json.dumps(out))
