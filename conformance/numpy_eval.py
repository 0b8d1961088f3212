# NumPy evaluator for the mlx-ts conformance run (conformance/numpy.ts): one
# JSON request per line on stdin ({expr, inputs: [{dtype, shape, values}],
# params, dtype}), one JSON reply per line on stdout ({dtype, shape, values} or
# {error}). Non-finite floats, -0 and integers beyond 2^53 travel as strings.
import json
import math
import sys

import numpy as np

np.seterr(all="ignore")


def decode(v, dtype):
    if isinstance(v, str):
        return int(v) if dtype.startswith(("int", "uint")) else float(v)
    return v


def encode(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2**53 else str(v)
    if math.isnan(v) or math.isinf(v) or (v == 0 and math.copysign(1.0, v) < 0):
        return repr(v)
    return v


def evaluate(req):
    xs = [np.array([decode(v, x["dtype"]) for v in x["values"]], dtype=x["dtype"]).reshape(x["shape"]) for x in req["inputs"]]
    r = np.asarray(eval(req["expr"], {"np": np, "x": xs, "p": req["params"], "dt": req["dtype"]}))
    if req["dtype"] and str(r.dtype) != req["dtype"]:
        r = r.astype(req["dtype"])
    return {"dtype": str(r.dtype), "shape": list(r.shape), "values": [encode(v) for v in r.reshape(-1).tolist()]}


for line in sys.stdin:
    try:
        reply = evaluate(json.loads(line))
    except Exception as e:  # reported to the caller, which prints it with the case
        reply = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(reply), flush=True)
