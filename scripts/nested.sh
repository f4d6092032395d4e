#!/usr/bin/env bash
# make nested: the nested scenarios of tests/qemu (those with a "vmm:"
# line; or only those named as arguments), one after the other and
# alone: L0 QEMU (TCG) -> L1 test kernel with KVM -> L2 test kernel on the
# VMM of make vmm or Debian's QEMU. Not part of make check yet: a nested
# L2 under KVM on QEMU's emulated SVM now and then loses its timer
# interrupts for minutes or stops with its VMM (README.md, "Guests").
# Their results are held against the "nested" entries of tests/manifest.
STEP=nested
export STEP
. "$(dirname "$0")/lib.sh"
results_reset
rm -f "$RESULTS/nested.only"

files=()
if [ $# -gt 0 ]; then
	for n in "$@"; do
		printf '%s\n' "$n" >> "$RESULTS/nested.only"
		if [ -f "$TOP/tests/qemu/$n" ] && grep -q '^vmm:' "$TOP/tests/qemu/$n"; then
			files+=("$TOP/tests/qemu/$n")
		else
			result fail "$n: scenario" "no nested scenario $n in tests/qemu"
		fi
	done
else
	mapfile -t files < <(grep -l '^vmm:' "$TOP"/tests/qemu/* 2>/dev/null | LC_ALL=C sort)
fi
for f in ${files[@]+"${files[@]}"}; do
	"$TOP/scripts/run-scenario.sh" "$f" || true
done
"$TOP/scripts/results.sh" "$RESULTS" nested
