#!/bin/sh
# Makes `kubectl slipway ...` work: links an executable named kubectl-slipway, which kubectl
# finds on PATH, to the slipway binary. Invoked under that name, slipway reads its arguments
# as `slipway request ...`.
#
#   scripts/install-kubectl-plugin.sh [DIRECTORY]     (default: ~/.local/bin)
#
# SLIPWAY names the binary to link (default: .build/debug/slipway, built if missing).
set -eu

directory="${1:-$HOME/.local/bin}"
binary="${SLIPWAY:-.build/debug/slipway}"

if [ ! -x "$binary" ]; then
    echo "building slipway ($binary is missing)"
    swift build --product slipway
fi
case "$binary" in
    /*) ;;
    *) binary="$(pwd)/$binary" ;;
esac

mkdir -p "$directory"
ln -sf "$binary" "$directory/kubectl-slipway"
echo "linked $directory/kubectl-slipway -> $binary"
case ":$PATH:" in
    *":$directory:"*) echo "try: kubectl slipway list" ;;
    *) echo "$directory is not on PATH; add it (export PATH=\"$directory:\$PATH\"), then try: kubectl slipway list" ;;
esac
