# NumPy references of the convolutions (conformance/opdb-conv.ts, test/conv.test.ts):
# MLX's conv_general and its input and weight gradients by explicit loops over
# output positions and kernel taps (einsum over channels), and the transposed
# convolutions in their scatter form. As a script: JSON cases on stdin, results on stdout.
import json
import sys

import numpy as np


def source_index(o, k, stride, lo, kdil, idil, size):
    q = o * stride + k * kdil - lo
    if q < 0 or q % idil or q // idil >= size:
        return None
    return q // idil


def conv_general(x, w, strides, lo, hi, kdil, idil, groups, flip, ct=None):
    """The convolution of x [N, ...spatial, C] with w [O, ...kernel, C / groups] in float64; with a cotangent, also (dx, dw)."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    p = {"strides": strides, "paddingLo": lo, "paddingHi": hi, "kernelDilation": kdil, "inputDilation": idil, "groups": groups, "flip": flip}
    nsp = x.ndim - 2
    N, C, O = x.shape[0], x.shape[-1], w.shape[0]
    G = p["groups"]
    Cg, Og = C // G, O // G
    ksp = w.shape[1:-1]
    out_sp = []
    for i in range(nsp):
        din = 1 + p["inputDilation"][i] * (x.shape[i + 1] - 1)
        dk = 1 + p["kernelDilation"][i] * (ksp[i] - 1)
        out_sp.append((din + p["paddingLo"][i] + p["paddingHi"][i] - dk) // p["strides"][i] + 1)
    out = np.zeros([N, *out_sp, O])
    ct = np.zeros(out.shape) if ct is None else np.asarray(ct, dtype=np.float64).reshape(out.shape)
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    for opos in np.ndindex(*out_sp):
        for tap in np.ndindex(*ksp):
            ipos = [source_index(opos[i], tap[i], p["strides"][i], p["paddingLo"][i], p["kernelDilation"][i], p["inputDilation"][i], x.shape[i + 1]) for i in range(nsp)]
            wtap = tuple(ksp[i] - 1 - tap[i] for i in range(nsp)) if p["flip"] else tap
            if any(v is None for v in ipos):
                out[(slice(None), *opos)] += zero_times(w[(slice(None), *wtap)])
                continue
            xs = x[(slice(None), *ipos)].reshape(N, G, Cg)
            ws = w[(slice(None), *wtap)].reshape(G, Og, Cg)
            out[(slice(None), *opos)] += np.einsum("ngc,goc->ngo", xs, ws).reshape(N, O)
            cts = ct[(slice(None), *opos)].reshape(N, G, Og)
            dx[(slice(None), *ipos)] += np.einsum("ngo,goc->ngc", cts, ws).reshape(N, C)
            dw[(slice(None), *wtap)] += np.einsum("ngo,ngc->goc", cts, xs).reshape(O, Cg)
    return out, dx, dw


def zero_times(wtap):
    """A tap over padding or a hole: a zero times the weights of the tap [O, C / groups] (NaN where one is NaN or infinite)."""
    with np.errstate(invalid="ignore"):
        return (0.0 * wtap).sum(axis=-1)


def conv_nd(x, w, p):
    """conv1d/2d/3d: symmetric padding, no input dilation, no flip."""
    n = x.ndim - 2
    return conv_general(x, w, [p["stride"]] * n, [p["padding"]] * n, [p["padding"]] * n, [p["dilation"]] * n, [1] * n, p["groups"], False)[0]


def conv_transpose_nd(x, w, p):
    """convTranspose1d/2d/3d as a scatter: input point i adds x[i] w[k] at i * stride + k * dilation - padding."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n = x.ndim - 2
    s, pad, d, op = p["stride"], p["padding"], p["dilation"], p["outputPadding"]
    ksp = w.shape[1:-1]
    out_sp = [(x.shape[i + 1] - 1) * s - 2 * pad + d * (ksp[i] - 1) + 1 + op for i in range(n)]
    out = np.zeros([x.shape[0], *out_sp, w.shape[0]])
    touched = np.zeros([*out_sp, *ksp], dtype=bool)
    for ipos in np.ndindex(*x.shape[1:-1]):
        for tap in np.ndindex(*ksp):
            opos = [ipos[i] * s + tap[i] * d - pad for i in range(n)]
            if all(0 <= opos[i] < out_sp[i] for i in range(n)):
                out[(slice(None), *opos)] += x[(slice(None), *ipos)] @ w[(slice(None), *tap)].T
                touched[(*opos, *tap)] = True
    # an (output, tap) pair no input point reaches multiplies the weights by a zero of the dilated, padded input
    for opos in np.ndindex(*out_sp):
        for tap in np.ndindex(*ksp):
            if not touched[(*opos, *tap)]:
                out[(slice(None), *opos)] += zero_times(w[(slice(None), *tap)])
    return out


def convolve(a, v, mode):
    """np.convolve with the padding made explicit zeros (which multiply the kernel, as in the convolution ops)."""
    long, short = (v, a) if len(a) < len(v) else (a, v)
    k = len(short)
    lo = {"full": k - 1, "same": k // 2, "valid": 0}[mode]
    hi = {"full": k - 1, "same": k // 2 if k % 2 else max(0, k // 2 - 1), "valid": 0}[mode]
    with np.errstate(invalid="ignore"):
        return np.convolve(np.pad(np.asarray(long, dtype=np.float64), (lo, hi)), np.asarray(short, dtype=np.float64), "valid")


def conv_case(c):
    p = c["p"]
    x = np.array(c["x"], dtype=np.float64).reshape(c["xs"])
    w = np.array(c["w"], dtype=np.float64).reshape(c["ws"])
    out, dx, dw = conv_general(x, w, p["strides"], p["paddingLo"], p["paddingHi"], p["kernelDilation"], p["inputDilation"], p["groups"], p["flip"], c["ct"])
    return {"shape": list(out.shape), "out": out.ravel().tolist(), "dx": dx.ravel().tolist(), "dw": dw.ravel().tolist()}


if __name__ == "__main__":
    print(json.dumps([conv_case(c) for c in json.load(sys.stdin)]))
