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
	out=$(cd "$TREE" && perl scripts/checkpatch.pl --strict --no-summary --show-types \
		--codespell=no "$PATCHES/$p" 2>&1) || true
	errs=$(grep -cE '^(ERROR|WARNING):' <<<"$out" || true)
	checks=$(grep -cE '^CHECK:' <<<"$out" || true)
	if [ "$errs" -eq 0 ]; then
		result pass "checkpatch: $p" "${checks} checks"
		[ "$checks" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/    /'
	else
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		result fail "checkpatch: $p" "$errs errors or warnings"
	fi
done < <(series_patches)
[ "$n" -gt 0 ] || log "the series is empty: nothing to check"
! grep -q '^fail' "$RESULTS/checkpatch.tsv"
