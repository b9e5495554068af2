#!/usr/bin/env bash
# Cross-compile release binaries for linux and darwin, amd64 and arm64, into dist/,
# with the version stamped in (`ami --version` shows it) and a SHA256SUMS file.
#
#   scripts/release.sh            # version from `git describe`
#   VERSION=v1.2.3 scripts/release.sh
set -euo pipefail
cd "$(dirname "$0")/.."

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
out=dist
rm -rf "$out"
mkdir -p "$out"
for os in linux darwin; do
  for arch in amd64 arm64; do
    name="ami-$version-$os-$arch"
    mkdir -p "$out/$name"
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -tags urfave_cli_no_docs \
      -ldflags "-s -w -X main.version=$version" -o "$out/$name/ami" ./cmd/ami
    cp README.md man/ami.1 "$out/$name/"
    mkdir -p "$out/$name/completion"
    cp completion/ami.bash completion/_ami completion/ami.fish "$out/$name/completion/" 2>/dev/null || true
    tar -C "$out" -czf "$out/$name.tar.gz" "$name"
    rm -rf "${out:?}/$name"
    echo "built $out/$name.tar.gz"
  done
done
(cd "$out" && sha256sum ./*.tar.gz >SHA256SUMS)
echo "checksums in $out/SHA256SUMS"
