#!/usr/bin/env bash
# Time to first byte of a streamed chat completion: Envoy alone, Envoy + a no-op ext_proc server in
# the gateway's processing modes, Envoy + Tollgate (passthrough and translating), release builds
# with the Swift runtime linked in statically, as k8s/Dockerfile builds the image.
# Usage: bench/stream.sh [bench/stream.py options, e.g. --requests 5000 --transport tcp]
#        bench/stream.sh --memory [bench/stream_memory.py options]   (RSS under many long streams)
# Set TOLLGATE_SCRATCH_PATH to build into another folder (e.g. .build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
build=(swift build -c release --static-swift-stdlib)
if [ -n "${TOLLGATE_SCRATCH_PATH:-}" ]; then build+=(--scratch-path "$TOLLGATE_SCRATCH_PATH"); fi
"${build[@]}" --product tollgate
bin="$("${build[@]}" --show-bin-path)"
if [ "${1:-}" = "--memory" ]; then
    shift
    exec .venv/bin/python bench/stream_memory.py --tollgate "$bin/tollgate" "$@"
fi
"${build[@]}" --product TollgateProbe
exec .venv/bin/python bench/stream.py --probe "$bin/TollgateProbe" --tollgate "$bin/tollgate" "$@"
