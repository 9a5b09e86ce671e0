#!/usr/bin/env bash
# README command (B): install the dependencies, build everything in build/ and run the tests.
#   scripts/build-and-test.sh [extra cmake configure options...]
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release),
#              JOBS (default: the number of cores) for the build and for ctest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-Release}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

scripts/install-deps.sh
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" "$@"
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
