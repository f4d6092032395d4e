#!/usr/bin/env bash
# Run every scenario in tests/qemu (or only those named as arguments).
STEP=scenarios
. "$(dirname "$0")/lib.sh"
results_reset

if [ $# -gt 0 ]; then
	files=()
	for n in "$@"; do files+=("$TOP/tests/qemu/$n"); done
else
	mapfile -t files < <(find "$TOP/tests/qemu" -maxdepth 1 -type f | LC_ALL=C sort)
fi
for f in "${files[@]}"; do
	"$TOP/scripts/run-scenario.sh" "$f" || true
done
fails=$(grep -c '^fail' "$RESULTS/scenarios.tsv" || true)
log "$(grep -c '^pass' "$RESULTS/scenarios.tsv" || true) passed, $fails failed"
[ "$fails" -eq 0 ]
