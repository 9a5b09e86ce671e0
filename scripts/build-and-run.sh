#!/usr/bin/env bash
# README command (A): install the dependencies, build the servicechain CLI in build/ and
# print the capacity analysis of the example retail bank.
#   scripts/build-and-run.sh [MODEL] [--format table|json|csv]
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release),
#              JOBS (default: the number of cores).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-Release}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
model=${1:-examples/models/retail_bank.json}
shift || true

scripts/install-deps.sh >&2
# Build output goes to stderr, so that stdout carries the analysis alone.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" >&2
cmake --build "$build_dir" -j "$jobs" --target servicechain_cli >&2
exec "$build_dir/servicechain" analyze "$model" "$@"
