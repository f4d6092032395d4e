#!/usr/bin/env bash
# Run every scenario in tests/qemu (or only those named as arguments),
# SCENARIO_JOBS (default: the number of CPUs) at a time. A boot under TCG
# keeps about one core busy (build/results/times.tsv: ims-bare-metal used
# 83 s of CPU in 97 s), so more jobs than cores gain nothing. The longest
# scenarios (by their timeout) start first. The results are held against
# tests/manifest (scripts/results.sh): with names, against the entries of
# those scenarios only.
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
for f in ${files[@]+"${files[@]}"}; do
	t=$(sed -n 's/^timeout:[[:space:]]*//p' "$f" | tail -n 1)
	printf '%s\t%s\n' "${t:-300}" "$f"
done | sort -t "$(printf '\t')" -k1,1nr -k2,2 | cut -f2 |
	xargs -r -d '\n' -P "${SCENARIO_JOBS:-$(nproc)}" -n 1 "$TOP/scripts/run-scenario.sh" || true
"$TOP/scripts/results.sh" "$RESULTS" scenarios
