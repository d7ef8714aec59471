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
# Names in several scripts and the claims the documents make (issue 13).
# A source is a manifest path; a fresh archive numbers the manifest's rows
# 1, 2, 3, ... in order, so its id is its row number.
id_of() { awk -F, -v p="$1" 'NR > 1 && $1 == p { print NR - 1 }' archive/manifest.csv; }
tail -n +2 archive/names.tsv | while IFS=$'\t' read -r term name lang script form used_by source locator; do
  args=(terms name add "$term" "$name" --lang "$lang" --script "$script" --form "$form")
  [ -n "$used_by" ] && args+=(--used-by "$used_by")
  [ -n "$source" ] && args+=(--source "$(id_of "$source")")
  [ -n "$locator" ] && args+=(--locator "$locator")
  "$custos" "${args[@]}"
done
tail -n +2 archive/claims.tsv | while IFS=$'\t' read -r subject property value source locator quote; do
  args=(claim add "$subject" "$property" "$value" --source "$(id_of "$source")" --locator "$locator")
  [ -n "$quote" ] && args+=(--quote "$quote")
  "$custos" "${args[@]}"
done
"$custos" list
"$custos" report holdings --by kind
"$custos" report claims --disputed
# The recording (issue 12): imported after the manifest, with its
# transcript, index and the passage the narrator asked to be closed.
rec=$("$custos" import archive/recordings/corran-ford-interview-2019.wav --intake open --format json | sed -n 's/.*"id": \([0-9]*\).*/\1/p' | head -1)
"$custos" transcript set "$rec" archive/recordings/corran-ford-interview-2019.vtt
"$custos" segment import "$rec" archive/recordings/corran-ford-interview-2019-ohms.xml
"$custos" restrict "$rec" --from 00:00:12.200 --to 00:00:19.300 --reason "names the neighbour who brought bread"
# A time-coded search hit, and the same search where the passage is closed.
"$custos" query cellar --access public
"$custos" query bread --access custodian --fields id,title,snippet,segments --format json
"$custos" transcript show "$rec" --access public
"$custos" access-copy "$rec" --access public --out "$dest/../interview-public.wav"
echo
echo "custos: the sample archive is in $dest; try: CUSTOS_ARCHIVE=$dest $custos show 1" >&2
