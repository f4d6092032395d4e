#!/usr/bin/env bash
# Run every scenario in tests/qemu (or only those named as arguments),
# SCENARIO_JOBS (default 2) at a time: most of a boot is guest idle time
# (edu's DMA timer, sleeps), so two boots share the 2 cores well. The
# longest scenarios (by their timeout) start first.
STEP=scenarios
. "$(dirname "$0")/lib.sh"
results_reset

if [ $# -gt 0 ]; then
	files=()
	for n in "$@"; do
		[ -f "$TOP/tests/qemu/$n" ] || die "no scenario $n in tests/qemu"
		files+=("$TOP/tests/qemu/$n")
	done
else
	mapfile -t files < <(find "$TOP/tests/qemu" -maxdepth 1 -type f | LC_ALL=C sort)
fi
for f in "${files[@]}"; do
	t=$(sed -n 's/^timeout:[[:space:]]*//p' "$f" | tail -n 1)
	printf '%s\t%s\n' "${t:-300}" "$f"
done | sort -t "$(printf '\t')" -k1,1nr -k2,2 | cut -f2 |
	xargs -d '\n' -P "${SCENARIO_JOBS:-2}" -n 1 "$TOP/scripts/run-scenario.sh" || true
fails=$(grep -c '^fail' "$RESULTS/scenarios.tsv" || true)
log "$(grep -c '^pass' "$RESULTS/scenarios.tsv" || true) passed, $fails failed"
[ "$fails" -eq 0 ]
