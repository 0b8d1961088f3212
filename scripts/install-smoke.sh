#!/usr/bin/env bash
# The package as a user gets it: packs the tarball, installs it into a new
# project in a temporary folder, compiles a strict TypeScript program against
# it (strict, exactOptionalPropertyTypes, nodenext, no skipLibCheck, no
# @types/node) and runs it (an exported function imported among its steps),
# runs a plain-JS ESM program, checks require()'s message, then the CLI:
# --version, info, a small conformance run, two processes started by
# `mlx-ts launch`, and build-metal followed by the metal backend in use. Run by .ci/run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" # the one-time notices and the MSL cache start empty
step() { echo "install-smoke: $*" >&2; }
fail() { echo "install-smoke: FAILED: $*" >&2; exit 1; }

cd "$repo"
tarball="$(npm pack --silent --pack-destination "$work" | tail -1)"
step "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
contents="$(tar -tzf "$work/$tarball")"
grep -qx 'package/dist/index.d.ts' <<<"$contents" || fail "the tarball has no dist/index.d.ts"
grep -qx 'package/dist/node/index.js' <<<"$contents" || fail "the tarball has no dist/node/index.js (the bundle Node loads)"
if grep -E '^package/dist/(src|backends|cli|conformance)/.*\.js$' <<<"$contents"; then fail "the tarball carries tsc's JavaScript beside the bundle"; fi
if grep -E 'package/(test|bench|examples|native/build)/' <<<"$contents"; then fail "the tarball carries development files"; fi
# the README's links into docs/ resolve inside the installed package
for link in $(grep -oE '\]\(docs/[a-z0-9-]+\.md' README.md | sed 's/^](//' | sort -u); do
  grep -qx "package/$link" <<<"$contents" || fail "the README links $link, which the tarball does not carry"
done
# the source maps' sources ship beside them (stack traces and debuggers open them)
for map in dist/node/*.js.map; do
  for src in $(node -e 'for (const s of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).sources) console.log(require("path").join(require("path").dirname(process.argv[2]), s))' "$map" "$map"); do
    grep -qx "package/$src" <<<"$contents" || fail "$map names $src, which the tarball does not carry"
  done
done

mkdir "$work/app" && cd "$work/app"
cat > package.json <<'JSON'
{ "name": "smoke-app", "version": "1.0.0", "private": true, "type": "module" }
JSON
step "npm install (the registry's packages, from npm's cache where present)"
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$work/$tarball"
[ -d node_modules/webgpu ] || fail "the optional dependency webgpu (Dawn) was not installed by default"

step "strict TypeScript program"
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "nodenext", "moduleResolution": "nodenext",
    "strict": true, "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true,
    "skipLibCheck": false, "types": [], "outDir": "out"
  },
  "files": ["app.ts"]
}
JSON
cat > app.ts <<'TS'
import * as mx from "mlx-ts";

const x = mx.array([[1, 2], [3, 4]], mx.float32);
const y = mx.sum(mx.multiply(x, 2), { axis: 1, keepdims: undefined, stream: undefined });
await mx.eval(y);
console.log("sum", JSON.stringify(await y.tolist()));
const loss = (w: mx.MxArray): mx.MxArray => mx.sum(mx.square(mx.matmul(x, w)));
const g = mx.grad(loss)(mx.ones([2], mx.float32));
console.log("grad", JSON.stringify(await g.tolist()));
const shape: readonly number[] = [2, 2];
console.log("zeros", JSON.stringify(await mx.zeros(shape).tolist()));
console.log("gpu", mx.isAvailable(mx.gpu));
await mx.exportFunction("exp.mlxfn", (a: mx.MxArray) => mx.exp(a), mx.zeros([2]), { metadata: "v1" });
const [imported, metadata] = mx.importFunction("exp.mlxfn", { returnMetadata: true });
console.log("imported", JSON.stringify(await imported(mx.zeros([2]))[0]!.tolist()), metadata);
TS
node "$repo/node_modules/typescript/bin/tsc" -p . || fail "the strict TypeScript program does not compile against the installed types"
out="$(node out/app.js 2>"$work/first-import.err")"
echo "$out"
[ "$(grep -c 'the metal backend is not built (cpu and webgpu work); to enable it run: npx mlx-ts build-metal (shown once)' "$work/first-import.err" || true)" = 1 ] || fail "the first import should show the metal notice once: $(cat "$work/first-import.err")"
grep -qx 'sum \[6,14\]' <<<"$out" || fail "wrong sum"
grep -qx 'grad \[48,68\]' <<<"$out" || fail "wrong gradient"
grep -qx 'gpu true' <<<"$out" || fail "no GPU backend after a default install (webgpu expected)"
grep -qx 'imported \[1,1\] v1' <<<"$out" || fail "an exported function, imported"

step "plain JavaScript ESM program"
cat > plain.mjs <<'JS'
import * as mx from "mlx-ts";
const a = mx.arange(5).add(1);
console.log("plain", JSON.stringify(await a.tolist()), a.dtype.name);
// the bundle keeps the names a module's repr and the functions carry (esbuild renames clashing ones)
console.log("names", String(new mx.nn.LayerNorm(2)), String(new mx.nn.RoPE(4)), mx.zeros.name);
JS
node plain.mjs > plain.out || fail "the plain-JS ESM program failed"
grep -qx 'plain \[1,2,3,4,5\] int32' plain.out || fail "the plain-JS ESM program"
grep -qx 'names LayerNorm(2, eps=0.00001, affine=true) RoPE(4, traditional=false) zeros' plain.out || fail "the bundle renamed a class or function: $(grep names plain.out)"

step "the subpaths mlx-ts/nn and mlx-ts/optimizers, typed"
cat > train.ts <<'TS'
import * as mx from "mlx-ts";
import * as nn from "mlx-ts/nn";
import * as optimizers from "mlx-ts/optimizers";

const model = new nn.Linear(2, 1);
const optimizer = new optimizers.SGD(0.01);
const x = mx.array([[1, 2], [3, 4]], mx.float32), y = mx.array([[1], [2]], mx.float32);
const step = nn.valueAndGrad(model, (m: nn.Linear, a: mx.MxArray, b: mx.MxArray) => nn.losses.mseLoss(m.forward(a), b));
let first = 0, last = 0;
for (let i = 0; i < 20; i++) {
  const [loss, grads] = step(model, x, y);
  optimizer.update(model, grads);
  await mx.eval(model.parameters());
  const v = await loss.toNumber();
  if (i === 0) first = v;
  last = v;
}
console.log("trained", last < first);
TS
sed -i 's/"files": \["app.ts"\]/"files": ["app.ts", "train.ts"]/' tsconfig.json
node "$repo/node_modules/typescript/bin/tsc" -p . || fail "a program importing mlx-ts/nn and mlx-ts/optimizers does not compile against the installed types"
trained="$(node out/train.js 2>"$work/train.err")"
grep -qx 'trained true' <<<"$trained" || fail "training through the subpaths: $trained $(grep -v '^Warning: maxDynamic' "$work/train.err")"

step "require() says the package is ESM"
msg="$(node -e 'try { require("mlx-ts") } catch (e) { console.log(e.message) }')"
grep -q 'is an ES module' <<<"$msg" && grep -q 'import \* as mx from "mlx-ts"' <<<"$msg" || fail "require message: $msg"

step "the CLI"
[ "$(npx --no-install mlx-ts --version)" = "$(node -p 'require("./node_modules/mlx-ts/package.json").version')" ] || fail "--version"
npx --no-install mlx-ts --help | grep -q build-metal || fail "--help"
info="$(npx --no-install mlx-ts info 2>&1)"
echo "$info"
grep -q '^backend cpu: available' <<<"$info" || fail "info: cpu"
grep -q '^backend webgpu: available' <<<"$info" || fail "info: webgpu"
grep -q '^backend metal: unavailable (the native addon is not built' <<<"$info" || fail "info: metal should say it is not built"
if grep -q '(shown once)' <<<"$info"; then fail "the metal notice was shown again"; fi
npx --no-install mlx-ts conformance --ops 'add,exp' --dtypes float32 --runs 3 --graphs 1 --no-numpy || fail "a small conformance run"

step "mlx-ts launch: two processes of one group sum their ranks (mx.distributed over the ring backend)"
cat > ranks.mjs <<'JS'
import * as mx from "mlx-ts";
const world = mx.distributed.init();
console.log("sum", await mx.distributed.allSum(mx.array(world.rank() + 1)).item(), "of", world.size());
JS
launched="$(MLX_TS_WEBGPU=0 npx --no-install mlx-ts launch -n 2 ranks.mjs)" || fail "mlx-ts launch: $launched"
[ "$(sort <<<"$launched")" = "$(printf '0: sum 3 of 2\n1: sum 3 of 2')" ] || fail "mlx-ts launch printed: $launched"

step "an outside backend under the installed CLI's conformance"
cat > my-backend.mjs <<'JS'
import * as mx from "mlx-ts";
const cpu = mx.registeredBackends().find((b) => b.name === "cpu");
mx.registerBackend({ ...cpu, name: "mine", displayName: "mine (the cpu kernels)", kernels: cpu.kernels, capabilities: cpu.capabilities,
  allocate: (n) => cpu.allocate(n), release: (b) => cpu.release(b), write: (b, s) => cpu.write(b, s), read: (t) => cpu.read(t),
  share: (t) => (t.buffer.backend === cpu ? (t.buffer.refs++, t) : undefined), synchronize: () => cpu.synchronize(),
  memory: () => ({ active: 0, peak: 0, cache: 0 }), resetPeakMemory() {}, setCacheLimit: () => 0, clearCache() {} });
JS
npx --no-install mlx-ts conformance --backend-module ./my-backend.mjs --backends mine --ops 'add,exp' --runs 3 --graphs 1 --no-numpy 2>&1 | tee conf.txt | grep -q '^PASS' || { cat conf.txt; fail "conformance of an outside backend"; }
grep -q 'on mine (the cpu kernels)' conf.txt || fail "the outside backend's report does not name it"

if [ "$(uname)" = Linux ] && ! command -v clang++-19 >/dev/null; then
  step "no clang++-19: build-metal must say what to install"
  npx --no-install mlx-ts build-metal 2>&1 | grep -q 'clang++-19 is missing' || fail "build-metal's message"
else
  step "build-metal in the installed package, then the metal backend"
  npx --no-install mlx-ts build-metal || fail "build-metal"
  cat > metal.mjs <<'JS'
import * as mx from "mlx-ts";
console.log("metal", JSON.stringify(await mx.add(mx.array([1, 2]), 1, { stream: mx.metal }).tolist()));
JS
  node metal.mjs | grep -qx 'metal \[2,3\]' || fail "the metal backend after build-metal"
fi
step "passed"
