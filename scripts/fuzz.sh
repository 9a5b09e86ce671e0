#!/usr/bin/env bash
# Builds and runs the libFuzzer target tests/fuzz/fuzz_model.cpp (loader + validate +
# compile + every analysis) under ASan and UBSan. Not part of CI.
#
#   scripts/fuzz.sh [-time SECONDS | -runs N] [-jobs J] [extra libFuzzer flags]
#   scripts/fuzz.sh -merge       minimize the working corpus into tests/fuzz/corpus
#
# Seeds: examples/models, tests/data/bad, tests/cli/data and the saved corpus
# tests/fuzz/corpus (so runs resume where the last one stopped). New inputs go to
# build-fuzz/corpus (the first directory: libFuzzer writes only there); `-merge` folds them, minimized, back into tests/fuzz/corpus.
# Installs clang and libclang-rt-14-dev (Debian) if missing. Runs under `nice -n 10`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SERVICECHAIN_FUZZ_BUILD:-$root/build-fuzz}

missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSERVICECHAIN_FUZZ=ON \
    -DSERVICECHAIN_BUILD_TESTS=OFF -DSERVICECHAIN_BUILD_CLI=OFF -DSERVICECHAIN_BUILD_EXAMPLES=OFF \
    -DSERVICECHAIN_WERROR=OFF ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER}
fi
nice -n 10 cmake --build "$build" -j"${SERVICECHAIN_FUZZ_BUILD_JOBS:-2}" --target servicechain_fuzz_model
fuzzer=$build/tests/fuzz/servicechain_fuzz_model

mkdir -p "$build/corpus" "$root/tests/fuzz/corpus"
if [[ ${1:-} == -merge ]]; then
  tmp=$(mktemp -d)
  # Inputs cut to 400 bytes keep the committed corpus near 200 KB (it keeps ~80% of the
  # coverage edges of the uncut one); the uncut inputs stay in build-fuzz/corpus.
  nice -n 10 "$fuzzer" -merge=1 -max_len=400 "$tmp" "$root/tests/fuzz/corpus" "$build/corpus"
  rm -rf "$root/tests/fuzz/corpus" && mv "$tmp" "$root/tests/fuzz/corpus"
  du -sh "$root/tests/fuzz/corpus"
  exit 0
fi

# -rss_limit_mb: a model may legitimately ask for much memory; 2 GB keeps the machine usable.
mkdir -p "$build/artifacts"
exec nice -n 10 "$fuzzer" -artifact_prefix="$build/artifacts/" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$root/tests/fuzz/model.dict" "$@" "$build/corpus" "$root/tests/fuzz/corpus" \
  "$root/examples/models" "$root/tests/data/bad" "$root/tests/cli/data"
