#!/usr/bin/env bash
# Loopback benchmark of the ext_proc hop: Envoy alone vs Envoy + TollgateProbe (release build).
# Usage: bench/run.sh [bench/run.py options, e.g. --duration 20 --repeat 3 --transport tcp]
# Set TOLLGATE_SCRATCH_PATH to build into another folder (e.g. .build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
build=(swift build -c release)
if [ -n "${TOLLGATE_SCRATCH_PATH:-}" ]; then build+=(--scratch-path "$TOLLGATE_SCRATCH_PATH"); fi
"${build[@]}" --product TollgateProbe
probe="$("${build[@]}" --show-bin-path)/TollgateProbe"
exec .venv/bin/python bench/run.py --probe "$probe" "$@"
