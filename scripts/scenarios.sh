#!/usr/bin/env bash
# Run every scenario in tests/qemu (or only those named as arguments):
# the nested ones first, one at a time, then the others SCENARIO_JOBS
# (default: the number of CPUs) at a time, the longest (by their timeout)
# first. The results are held against tests/manifest
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
# The nested scenarios (a "vmm:" line) run first, one after the other and
# alone: each keeps about a core busy (its L0 emulates L1, which runs L2
# with KVM), and an L2 whose L1 shared the cores with other boots was
# seen to lose its timer interrupts for minutes (RCU stalls, "possible
# timer handling issue") until its timeout. Then the others run
# SCENARIO_JOBS at a time.
nested=() others=()
for f in ${files[@]+"${files[@]}"}; do
	if grep -q '^vmm:' "$f"; then
		nested+=("$f")
	else
		others+=("$f")
	fi
done
for f in ${nested[@]+"${nested[@]}"}; do
	"$TOP/scripts/run-scenario.sh" "$f" || true
done
for f in ${others[@]+"${others[@]}"}; do
	t=$(sed -n 's/^timeout:[[:space:]]*//p' "$f" | tail -n 1)
	printf '%s\t%s\n' "${t:-300}" "$f"
done | sort -t "$(printf '\t')" -k1,1nr -k2,2 | cut -f2 |
	xargs -r -d '\n' -P "${SCENARIO_JOBS:-$(nproc)}" -n 1 "$TOP/scripts/run-scenario.sh" || true
"$TOP/scripts/results.sh" "$RESULTS" scenarios
