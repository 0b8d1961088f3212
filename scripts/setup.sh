#!/usr/bin/env bash
# One setup for the README's commands and CI. As root on Debian bookworm it
# installs the system packages the backends need: Mesa's lavapipe (software
# Vulkan) and the Vulkan loader from bookworm-backports, which Dawn needs for
# the webgpu backend (bookworm's own Mesa 22 is too old for Dawn); NumPy
# (python3-numpy), the independent implementation the conformance run checks
# the cpu reference against; scikit-learn's digits (python3-sklearn), the
# real data set the nn training test learns; Chromium, in which a test renders the HTML
# report; and for the metal backend's MSL execution layer clang-19,
# boost.context and clang's sanitizer runtimes. Then it installs the npm
# packages when package-lock.json changed since the last run, and builds the
# metal backend's native addon (incremental).
set -euo pipefail
cd "$(dirname "$0")/.."

# NumPy, scikit-learn (its digits data set), fortunes (the text corpus of examples/lm.ts), Chromium (the headless browser the HTML report test renders in) and the
# MSL execution layer's toolchain, from bookworm itself
bookworm_packages() {
  [ "$(id -u)" = 0 ] || return 0
  grep -qs '^VERSION_CODENAME=bookworm' /etc/os-release || return 0
  local missing=()
  for p in python3-numpy python3-sklearn fortunes chromium cmake clang-19 libboost-context-dev libclang-rt-19-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && return 0
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

debian_packages() {
  [ "$(id -u)" = 0 ] || return 0
  grep -qs '^VERSION_CODENAME=bookworm' /etc/os-release || return 0
  if dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q bpo; then return 0; fi
  echo "setup: installing mesa-vulkan-drivers and libvulkan1 from bookworm-backports" >&2
  cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
}

debian_packages
bookworm_packages

stamp=node_modules/.setup-stamp
want="$(sha256sum package-lock.json | cut -d' ' -f1) $(node --version)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

node scripts/build-native.mjs --if-possible
