#!/usr/bin/env bash
# Install ami, its man page and its shell completions under PREFIX.
#
#   scripts/install.sh                 # PREFIX=/usr/local
#   PREFIX=$HOME/.local scripts/install.sh
#   DESTDIR=/tmp/pkg PREFIX=/usr scripts/install.sh   # for packagers
#
# Needs Go. Builds from this checkout; stamps the version from git when it can.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
root="$DESTDIR$PREFIX"
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}

bindir="$root/bin"
mandir="$root/share/man/man1"
bashdir="$root/share/bash-completion/completions"
zshdir="$root/share/zsh/site-functions"
fishdir="$root/share/fish/vendor_completions.d"

mkdir -p "$bindir" "$mandir" "$bashdir" "$zshdir" "$fishdir"
CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -ldflags "-s -w -X main.version=$version" -o "$bindir/ami" ./cmd/ami
install -m 0644 man/ami.1 "$mandir/ami.1"
"$bindir/ami" completion bash >"$bashdir/ami"
"$bindir/ami" completion zsh >"$zshdir/_ami"
"$bindir/ami" completion fish >"$fishdir/ami.fish"

echo "installed ami $version:"
printf '  %s\n' "$bindir/ami" "$mandir/ami.1" "$bashdir/ami" "$zshdir/_ami" "$fishdir/ami.fish"
