#!/usr/bin/env bash
# Installs what `custos-bench` compares against or profiles with. All of it
# is optional: a missing tool makes its measurement print "skipped".
#   sqlite-utils (PyPI)        the closest peer: insert-files + enable-fts
#   openssl, coreutils         the hashing floor (sha256sum, openssl dgst/speed)
#   linux-perf, valgrind       profiling the import (perf stat/record, callgrind)
#   time                       /usr/bin/time -v for ad-hoc peak-memory checks
# Usage: bash bench/setup.sh   (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi
if command -v apt-get >/dev/null; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq openssl coreutils linux-perf valgrind time \
    || echo "bench/setup.sh: some Debian packages could not be installed; their measurements will be skipped" >&2
fi
python3 -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
