// Builds the Metal backend's native addon (native/) with cmake-js. Run by
// `npm install` and scripts/setup.sh; it never fails the install: where the
// toolchain is missing it says so, and the metal backend then reports itself
// unavailable with the command that fixes it.
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fix = "sudo bash scripts/setup.sh";

function has(cmd) {
  return spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
}

function main() {
  if (process.env.MLX_TS_SKIP_NATIVE === "1") return;
  const args = ["compile", "-d", "native"];
  if (process.platform !== "darwin") {
    if (!has("clang++-19")) return console.warn(`mlx-ts: the metal backend is not built: clang++-19 is missing (run: ${fix})`);
    args.push("--CDCMAKE_CXX_COMPILER=clang++-19");
  }
  if (!has("cmake")) return console.warn(`mlx-ts: the metal backend is not built: cmake is missing (run: ${fix})`);
  let cmakeJs;
  try {
    cmakeJs = join(dirname(execFileSync(process.execPath, ["-p", "require.resolve('cmake-js/package.json')"], { cwd: root, encoding: "utf8" }).trim()), "bin", "cmake-js");
  } catch {
    return console.warn("mlx-ts: the metal backend is not built: cmake-js is not installed");
  }
  const r = spawnSync(process.execPath, [cmakeJs, ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n").filter((l) => /error|Error/.test(l)).slice(0, 8).join("\n");
    console.warn(`mlx-ts: building the metal backend failed (the other backends work):\n${tail}\nrun: ${fix}`);
  }
}

main();
