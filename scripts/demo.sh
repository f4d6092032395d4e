#!/usr/bin/env bash
# The demo: boot the test kernel once (tests/demo/demo) and show what the
# guest saw. Exits 0 only when every check of the demo passed.
STEP=demo
. "$(dirname "$0")/lib.sh"
results_reset

STEP=demo "$TOP/scripts/run-scenario.sh" "$TOP/tests/demo/demo" >"$LOGS/demo.log" 2>&1 || true
console=$BUILD/scenarios/demo/console.log
echo
echo "Kernel: $(cat "$KOBJ/include/config/kernel.release"), booted in QEMU:"
echo "  $(sed -n 's/^qemu:[[:space:]]*//p' "$TOP/tests/demo/demo" | tr '\n' ' ')"
echo
echo "What the guest reported (console: $console). In /proc/interrupts, the"
echo "second column group counts deliveries per CPU; the chip column names the"
echo "domain: PCI-IMS (the series), PCI-MSI (edu's own vector), PCI-MSIX (virtio)."
sed -n '/^KTAP version 1/,/^# ims-test: done/p' "$console" | grep -vE '^(KTAP|1\.\.|# ims-test)' |
	sed -e 's/^# /    /' -e 's/^ok [0-9]* /  [ok] /' -e 's/^not ok [0-9]* /  [FAILED] /'
echo
pass=$(grep -c '^pass' "$RESULTS/demo.tsv" || true)
fail=$(grep -c '^fail' "$RESULTS/demo.tsv" || true)
echo "demo: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
