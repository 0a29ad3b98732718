#!/usr/bin/env bash
# Downloads WikiText-2 (raw, wikitext-2-raw-v1) for Needlescope, checks the archive's size and sha256,
# and unpacks it where Needlescope looks for data by default. Needs internet; never run by tests or CI.
#
# Usage: fetch-wikitext.sh [DEST]
#   DEST defaults to the app's data folder: ${XDG_DATA_HOME:-~/.local/share}/Needlescope/data
#   Set WIKITEXT_ZIP=/path/to/wikitext-2-raw-v1.zip to install from an archive you already have.
#
# WikiText-2 (Merity et al., 2016, arXiv:1609.07843) is licensed CC BY-SA 3.0.
set -euo pipefail

readonly ARCHIVE=wikitext-2-raw-v1.zip
readonly ARCHIVE_BYTES=4721645
readonly ARCHIVE_SHA256=ef7edb566e3e2b2d31b29c1fdb0c89a4cc683597484c3dc2517919c615435a11
readonly URLS=(
    "https://wikitext.smerity.com/${ARCHIVE}"
    "https://s3.amazonaws.com/research.metamind.io/wikitext/${ARCHIVE}"
)
# sha256 of the unpacked splits (the archive holds them in wikitext-2-raw/).
readonly -A SPLIT_SHA256=(
    [wiki.train.raw]=6707892fa3788b5ab9ed78ab5ff37d9fe825f6011a2ad4fcd6a6d467f0e7da57
    [wiki.valid.raw]=4cd0f6876d07a413aa911261ff6d363c72d757d47f0fdd6015702014c89cb9c7
    [wiki.test.raw]=173c87a53759e0201f33e0ccf978e510c2042d7f2cb78229d9a50d79b9e7dd08
)

fail() { echo "fetch-wikitext: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is required ($2)"; }

dest=${1:-${XDG_DATA_HOME:-$HOME/.local/share}/Needlescope/data}
target="$dest/wikitext-2-raw"

splits_ok() {
    local name
    for name in "${!SPLIT_SHA256[@]}"; do
        [[ -f "$target/$name" ]] || return 1
        [[ "$(sha256sum "$target/$name" | cut -d' ' -f1)" == "${SPLIT_SHA256[$name]}" ]] || return 1
    done
}

need sha256sum "coreutils"
if splits_ok; then
    echo "WikiText-2 (raw) is already in $target"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zip="$work/$ARCHIVE"

if [[ -n "${WIKITEXT_ZIP:-}" ]]; then
    [[ -f "$WIKITEXT_ZIP" ]] || fail "WIKITEXT_ZIP=$WIKITEXT_ZIP: no such file"
    cp "$WIKITEXT_ZIP" "$zip"
else
    for url in "${URLS[@]}"; do
        echo "Downloading $url"
        if command -v curl >/dev/null 2>&1; then
            curl --fail --location --silent --show-error --max-filesize 20000000 -o "$zip" "$url" && break
        elif command -v wget >/dev/null 2>&1; then
            wget --quiet -O "$zip" "$url" && break
        else
            fail "curl or wget is required to download $ARCHIVE"
        fi
        rm -f "$zip"
        echo "  failed; trying the next mirror" >&2
    done
    [[ -f "$zip" ]] || fail "could not download $ARCHIVE from any mirror (no internet?)"
fi

bytes=$(stat -c %s "$zip")
[[ "$bytes" == "$ARCHIVE_BYTES" ]] || fail "$ARCHIVE is $bytes bytes, expected $ARCHIVE_BYTES: wrong or damaged file"
sha=$(sha256sum "$zip" | cut -d' ' -f1)
[[ "$sha" == "$ARCHIVE_SHA256" ]] || fail "$ARCHIVE has sha256 $sha, expected $ARCHIVE_SHA256: wrong or damaged file"
echo "Verified $ARCHIVE ($bytes bytes, sha256 $sha)"

mkdir -p "$work/unpacked"
if command -v unzip >/dev/null 2>&1; then
    unzip -q "$zip" -d "$work/unpacked"
elif command -v python3 >/dev/null 2>&1; then
    python3 -m zipfile -e "$zip" "$work/unpacked"
else
    fail "unzip (or python3) is required to unpack $ARCHIVE"
fi
[[ -d "$work/unpacked/wikitext-2-raw" ]] || fail "$ARCHIVE does not hold the expected wikitext-2-raw/ folder"

mkdir -p "$dest"
rm -rf "$target"
mv "$work/unpacked/wikitext-2-raw" "$target"
splits_ok || fail "the unpacked splits in $target do not have the expected sha256 sums"

echo "WikiText-2 (raw) is ready in $target"
echo "Needlescope finds it there by default; elsewhere, use --data \"$target\" or NEEDLESCOPE_DATA."
