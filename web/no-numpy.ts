// Stands in for conformance/numpy.ts in the page's bundle (scripts/build-browser.mjs):
// a browser cannot start the Python subprocess, so the cpu reference is not
// checked against NumPy there; the page never asks for it.

export function runNumpyCell(): never {
  throw new Error("the check of the cpu reference against NumPy runs in Node only (it needs a Python subprocess), not in the browser");
}
