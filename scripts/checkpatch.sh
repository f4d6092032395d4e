#!/usr/bin/env bash
# scripts/checkpatch.pl --strict on every patch of the series. Errors and
# warnings fail the patch; CHECKs are printed for the author to weigh.
STEP=checkpatch
. "$(dirname "$0")/lib.sh"
results_reset
need_tree

n=0
while read -r p; do
	n=$((n + 1))
	out=$(cd "$TREE" && perl scripts/checkpatch.pl --strict --show-types "$PATCHES/$p" 2>&1) || true
	total=$(sed -n 's/^total: \([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks.*/\1 \2 \3/p' <<<"$out")
	if [ -z "$total" ]; then
		printf '%s\n' "$out" | head -n 20 >&2
		result fail "checkpatch: $p" "checkpatch.pl did not report a total"
		continue
	fi
	read -r errs warns checks <<<"$total"
	if [ "$errs" -eq 0 ] && [ "$warns" -eq 0 ]; then
		result pass "checkpatch: $p" "${checks} checks"
		[ "$checks" -eq 0 ] || grep -E -A4 '^CHECK:' <<<"$out" | sed 's/^/    /'
	else
		grep -E -A4 '^(ERROR|WARNING|CHECK):' <<<"$out" | sed 's/^/    /' >&2
		result fail "checkpatch: $p" "$errs errors, $warns warnings, $checks checks"
	fi
done < <(series_patches)
[ "$n" -gt 0 ] || log "the series is empty: nothing to check"
! grep -q '^fail' "$RESULTS/checkpatch.tsv"
