#!/usr/bin/env bash
# Prove that applying patches/ to the base and exporting again reproduces
# patches/ byte for byte. Works in a worktree of its own (build/roundtrip),
# so build/linux is not touched. The worktree stays for the next run:
# removing the 80000 files of a kernel tree took 5 minutes here, resetting
# it to the base takes seconds.
STEP=roundtrip
. "$(dirname "$0")/lib.sh"
results_reset
need_tree
default_identity

wt=$BUILD/roundtrip
if [ "$(git -C "$wt" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" = "$(git -C "$TREE" rev-parse --path-format=absolute --git-common-dir)" ]; then
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	git -C "$wt" checkout -q -f --detach base
	git -C "$wt" clean -q -f -d -x
else
	rm -rf "$wt"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$wt" base
fi

n=0
while read -r p; do
	git -C "$wt" am -q --no-3way "$PATCHES/$p" >"$LOGS/roundtrip.log" 2>&1 || {
		cat "$LOGS/roundtrip.log" >&2
		result fail roundtrip "$p does not apply"
		exit 1
	}
	n=$((n + 1))
done < <(series_patches)

out=$BUILD/roundtrip.out
rm -rf "$out"
SRC=$wt "$TOP/scripts/export.sh" --to "$out" >/dev/null
if diff -ru -x 0000-cover-letter.patch "$PATCHES" "$out" > "$LOGS/roundtrip.diff"; then
	result pass roundtrip "$n patches applied and re-exported byte for byte"
else
	head -n 40 "$LOGS/roundtrip.diff" >&2
	result fail roundtrip "export differs from patches/ (diff: $LOGS/roundtrip.diff)"
	exit 1
fi
