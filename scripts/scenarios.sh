#!/usr/bin/env bash
# Run every scenario in tests/qemu but the nested ones (or only those
# named as arguments), SCENARIO_JOBS (default: the number of CPUs) at a
# time, the longest (by their timeout) first. The results are held against tests/manifest
# (scripts/results.sh): with names, against the entries of those
# scenarios only.
STEP=scenarios
. "$(dirname "$0")/lib.sh"
results_reset
rm -f "$RESULTS/scenarios.only"

if [ $# -gt 0 ]; then
	files=()
	for n in "$@"; do
		printf '%s\n' "$n" >> "$RESULTS/scenarios.only"
		if [ -f "$TOP/tests/qemu/$n" ]; then
			files+=("$TOP/tests/qemu/$n")
		else
			result fail "$n: scenario" "no scenario $n in tests/qemu"
		fi
	done
else
	mapfile -t files < <(find "$TOP/tests/qemu" -maxdepth 1 -type f | LC_ALL=C sort)
fi
# The nested scenarios (a "vmm:" line) are make nested's
# (scripts/nested.sh), not part of this step.
others=()
for f in ${files[@]+"${files[@]}"}; do
	if grep -q '^vmm:' "$f"; then
		[ $# -eq 0 ] || result fail "$(basename "$f"): scenario" "a nested scenario: run it with make nested"
	else
		others+=("$f")
	fi
done
for f in ${others[@]+"${others[@]}"}; do
	t=$(sed -n 's/^timeout:[[:space:]]*//p' "$f" | tail -n 1)
	printf '%s\t%s\n' "${t:-300}" "$f"
done | sort -t "$(printf '\t')" -k1,1nr -k2,2 | cut -f2 |
	xargs -r -d '\n' -P "${SCENARIO_JOBS:-$(nproc)}" -n 1 "$TOP/scripts/run-scenario.sh" || true
"$TOP/scripts/results.sh" "$RESULTS" scenarios
