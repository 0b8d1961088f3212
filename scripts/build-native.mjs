// Builds the metal backend's native addon (native/) with cmake against the
// Node-API headers of the npm packages node-api-headers and node-addon-api
// (nothing downloaded). Run by `npx mlx-ts build-metal`, `npm run build:native`
// and scripts/setup.sh; says what is missing and how to install it.
//
//   node scripts/build-native.mjs                the build; exits 1 when it cannot build
//   node scripts/build-native.mjs --if-possible  exits 0 with a note when the toolchain is missing
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ifPossible = process.argv.includes("--if-possible");
const addon = join(root, "native", "build", "Release", "mlx_ts_metal.node");

const INSTALL = {
  linux: "Debian/Ubuntu: sudo apt-get install clang-19 libclang-rt-19-dev libboost-context-dev cmake (from a clone of mlx-ts: sudo bash scripts/setup.sh)",
  darwin: "macOS: xcode-select --install, then brew install cmake boost",
};
const install = INSTALL[process.platform] ?? `the metal backend builds on Linux and macOS only (this is ${process.platform})`;

function say(line) {
  console.error(`mlx-ts build-metal: ${line}`);
}

/** Exits: 1, or 0 with `--if-possible` when the cause is a missing tool rather than a failed build. */
function stop(reason, missingTool) {
  say(reason);
  process.exit(missingTool && ifPossible ? 0 : 1);
}

function has(cmd) {
  return spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
}

function packageDir(name) {
  try {
    return dirname(createRequire(join(root, "package.json")).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

function main() {
  if (!(process.platform in INSTALL)) stop(install, true);
  const compiler = process.platform === "darwin" ? "clang++" : (process.env.MLX_TS_METAL_CLANG ?? "clang++-19");
  if (!has(compiler)) stop(`${compiler} is missing; install: ${install}`, true);
  if (!has("cmake")) stop(`cmake is missing; install: ${install}`, true);
  const headers = packageDir("node-api-headers");
  const addonApi = packageDir("node-addon-api");
  if (!headers || !addonApi) stop("the npm packages node-api-headers and node-addon-api are missing (they are dependencies of mlx-ts: reinstall it)", true);

  const build = join(root, "native", "build");
  mkdirSync(build, { recursive: true });
  const configure = spawnSync(
    "cmake",
    [
      "-S", join(root, "native"), "-B", build,
      "-DCMAKE_BUILD_TYPE=Release",
      `-DCMAKE_CXX_COMPILER=${compiler}`,
      `-DNODE_API_HEADERS_DIR=${join(headers, "include")}`,
      `-DNODE_ADDON_API_DIR=${addonApi}`,
    ],
    { encoding: "utf8" },
  );
  if (configure.status !== 0) {
    const out = `${configure.stdout}${configure.stderr}`;
    if (/Could NOT find Boost|Boost/.test(out)) stop(`boost.context is missing; install: ${install}`, true);
    stop(`cmake could not configure native/:\n${out.split("\n").filter((l) => /error|Error/.test(l)).slice(0, 12).join("\n")}`, false);
  }
  say(existsSync(addon) ? "rebuilding what changed" : "compiling the addon (about 30 s on 2 cores)");
  const compile = spawnSync("cmake", ["--build", build, "--parallel"], { encoding: "utf8" });
  if (compile.status !== 0) {
    const out = `${compile.stdout}${compile.stderr}`;
    stop(`compiling native/ failed:\n${out.split("\n").filter((l) => /error/.test(l)).slice(0, 12).join("\n")}`, false);
  }
  if (!existsSync(addon)) stop(`the build finished but ${addon} is missing`, false);
  say(`built ${addon}; the metal backend is available (check: npx mlx-ts info)`);
}

if (process.env.MLX_TS_SKIP_NATIVE !== "1") main();
