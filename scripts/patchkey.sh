#!/usr/bin/env bash
# Print a key identifying a patch by content and changelog, for a patch in
# mbox format on stdin: "<patch-id> <hash of subject and message>".
# Two patches with the same key carry the same change and the same words,
# whatever their numbering or the blobs they were made against.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git mailinfo -k "$tmp/msg" "$tmp/patch" > "$tmp/info"
pid=$(git patch-id --stable < "$tmp/patch" | cut -d' ' -f1)
words=$({ sed -n 's/^Subject: //p' "$tmp/info"; cat "$tmp/msg"; } | sha1sum | cut -d' ' -f1)
echo "${pid:-empty} $words"
