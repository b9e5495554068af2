#!/usr/bin/env bash
# Copies new or changed Asterisk 22 recordings from the development tree's
# ../shared/fixtures/asterisk-22 into the project's own copy
# (amiwire/amitest/fixtures/asterisk-22), which is all the tests ever read.
# With --check it only reports differences (exit 1 if any).
set -euo pipefail
cd "$(dirname "$0")/.."
src=../shared/fixtures/asterisk-22
dst=amiwire/amitest/fixtures/asterisk-22
[ -d "$src" ] || { echo "sync-fixtures: $src not found (only the development tree has it)" >&2; exit 1; }
diffs=0
for f in "$src"/*; do
  n=$(basename "$f")
  if ! cmp -s "$f" "$dst/$n"; then
    diffs=1
    if [ "${1:-}" = --check ]; then echo "differs: $n"; else cp "$f" "$dst/$n"; echo "copied: $n"; fi
  fi
done
[ "${1:-}" = --check ] && exit $diffs
exit 0
