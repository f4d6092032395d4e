#!/usr/bin/env bash
# scripts/kernel-doc -none -Wall on every C file and header the series
# touches: a warning that the base did not already have fails the file.
STEP=kerneldoc
. "$(dirname "$0")/lib.sh"
results_reset
need_tree

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Warnings without line numbers, so that moved code does not count as new.
kdoc() {
	perl "$TREE/scripts/kernel-doc" -none -Wall "$1" 2>&1 |
		sed -E 's/^[^:]*:[0-9]+: //' | sort -u
}

n=0
while read -r f; do
	[ -f "$TREE/$f" ] || continue
	n=$((n + 1))
	kdoc "$TREE/$f" > "$tmp/new"
	: > "$tmp/old"
	if git -C "$TREE" cat-file -e "base:$f" 2>/dev/null; then
		git -C "$TREE" show "base:$f" > "$tmp/old.src.${f##*.}"
		kdoc "$tmp/old.src.${f##*.}" > "$tmp/old"
	fi
	added=$(comm -13 "$tmp/old" "$tmp/new")
	if [ -z "$added" ]; then
		result pass "kernel-doc: $f"
	else
		printf '%s\n' "$added" | sed 's/^/    /' >&2
		result fail "kernel-doc: $f" "$(grep -c . <<<"$added") new warnings"
	fi
done < <(git -C "$TREE" diff --name-only --diff-filter=AM base..HEAD -- '*.c' '*.h')
[ "$n" -gt 0 ] || log "the series touches no C file or header"
! grep -q '^fail' "$RESULTS/kerneldoc.tsv"
