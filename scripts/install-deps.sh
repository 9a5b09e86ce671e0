#!/usr/bin/env bash
# Installs the Debian packages ServiceChain needs, and only those that are missing.
# A no-op (no apt-get call at all) when everything is present.
#   scripts/install-deps.sh            build + test dependencies (graphviz and gnuplot-nox included: the
#                                      tests of `servicechain dot` run Graphviz on its output,
#                                      those of `servicechain sweep --chart` run gnuplot;
#                                      doxygen: the `docs` target (API reference) and its test)
#   scripts/install-deps.sh --optional the same; kept so that older instructions still work
set -euo pipefail

packages=(
  g++ cmake make
  libboost-graph-dev libeigen3-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  coinor-libclp-dev libpugixml-dev libsimdjson-dev pkg-config
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3-mpmath
  graphviz
  gnuplot-nox
  doxygen
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
