#!/usr/bin/env bash
# The README's first command: build custos, create an archive, import the
# fictional sample collection in archive/, and print the catalogue.
# Usage: scripts/demo.sh [ARCHIVE_DIR]   (default: a new temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
custos="$PWD/target/release/custos"
dest="${1:-$(mktemp -d)/velmora-archive}"

"$custos" init "$dest"
export CUSTOS_ARCHIVE="$dest"
# The sample is described already: open at intake (a new archive's default
# is closed until described).
"$custos" import --manifest archive/manifest.csv --intake open
"$custos" list
"$custos" report holdings --by kind
echo
echo "custos: the sample archive is in $dest; try: CUSTOS_ARCHIVE=$dest $custos show 1" >&2
