#!/usr/bin/env bash
# Loopback benchmark: Envoy alone vs Envoy + TollgateProbe (the ext_proc hop), and the gateway's
# rendered Envoy config with `tollgate serve` vs the same config with a no-op TollgateProbe (release
# builds with the Swift runtime linked in statically, as k8s/Dockerfile builds the image).
# Usage: bench/run.sh [bench/run.py options, e.g. --duration 20 --repeat 3 --transport tcp]
# Set TOLLGATE_SCRATCH_PATH to build into another folder (e.g. .build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
build=(swift build -c release --static-swift-stdlib)
if [ -n "${TOLLGATE_SCRATCH_PATH:-}" ]; then build+=(--scratch-path "$TOLLGATE_SCRATCH_PATH"); fi
"${build[@]}" --product TollgateProbe
"${build[@]}" --product tollgate
bin="$("${build[@]}" --show-bin-path)"
exec .venv/bin/python bench/run.py --probe "$bin/TollgateProbe" --tollgate "$bin/tollgate" "$@"
