#!/usr/bin/env bash
# The guest demo (make demo-guest): two nested boots shown side by side, each
# L0 QEMU (TCG) -> L1 test kernel with KVM running the VMM of make vmm ->
# L2 test kernel with the edu sample on edu in strict IMS mode:
#   tests/demo/demo-guest      KVM_HC_PCI_IMS on: the VMM composes
#   tests/qemu/ims-nested-force  no hypercall, pci_ims=force: L2 composes
#                                (as demo-guest-force)
# and shows what L2 counted next to what the VMM recorded. Exits 0 only
# when every check of both boots passed.
STEP=demo-guest
. "$(dirname "$0")/lib.sh"
results_reset

log "two nested boots, one after the other (2-4 minutes); logs: $LOGS/demo-guest-*.log"
[ -x "$BUILD/vmm/qemu-system-x86_64" ] || die "no VMM: run make vmm"
# One at a time: a nested boot next to another one starves (make scenarios)
rc=0
STEP=demo-guest "$TOP/scripts/run-scenario.sh" "$TOP/tests/demo/demo-guest" \
	> "$LOGS/demo-guest-on.log" 2>&1 || rc=$?
STEP=demo-guest SCENARIO_NAME=demo-guest-force "$TOP/scripts/run-scenario.sh" \
	"$TOP/tests/qemu/ims-nested-force" > "$LOGS/demo-guest-force.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || warn "a boot's script failed ($rc): see $LOGS/demo-guest-*.log"

# side NAME: L2's IMS interrupts and the VMM's record of one boot, as
# lines of at most 38 characters
guest_side() {
	tr -d '\r' < "$BUILD/scenarios/$1/console.log" | awk '
		/^# +[0-9]+: / && /PCI-IMS-/ {
			n++; s0 += $3; s1 += $4; chip = $5; irq = $2; sub(/:$/, "", irq)
			if (n <= 3) line[n] = sprintf("  irq %s: %s + %s", irq, $3, $4)
		}
		/^# [0-9]+ vectors sent/ { sent = $2 }
		/^# [0-9]+ of [0-9]+ vectors triggered/ { sent = $2 }
		END {
			printf "%d IMS vectors on\n  %s\n", n, chip
			printf "sent by the device: %d\n", sent
			printf "deliveries CPU0 + CPU1:\n"
			for (i = 1; i <= 3 && i <= n; i++) print line[i]
			if (n > 3) print "  ..."
			printf "total delivered: %d\n", s0 + s1
		}'
}
vmm_side() {
	tr -d '\r' < "$BUILD/scenarios/$1/console.log" | awk '
		/^pci-ims: / {
			k[$3]++
			if ($3 == "fault" && !f) { f = $4 " " $5; why = $0; sub(/.*\(/, "(", why); sub(/\).*/, ")", why) }
			if ($3 == "translated" && !t) t = $4 " " $5
		}
		END {
			printf "handles composed: %d\n", k["compose"]
			printf "writes translated: %d\n", k["translated"]
			if (t != "") printf "  e.g. %s\n", t
			printf "writes dropped (faults): %d\n", k["fault"]
			if (f != "") printf "  e.g. %s\n  %s\n", f, why
		}'
}
show() {
	echo "== $2"
	paste -d '|' <(guest_side "$1" | awk '{ printf "%-40s\n", $0 }') <(vmm_side "$1") |
		sed -e 's/|/ | /' -e '1i\L2: the guest'"'"'s /proc/interrupts          | L1: the VMM'"'"'s broker (stderr)' 
	echo
}
echo
show demo-guest "KVM_HC_PCI_IMS on: the VMM composes every IMS message (host message = handle)"
show demo-guest-force "no hypercall (kvm-pci-ims=off), pci_ims=force: L2 composes its own messages"
echo "Consoles: $BUILD/scenarios/demo-guest/console.log, $BUILD/scenarios/demo-guest-force/console.log"
pass=$(grep -c '^pass' "$RESULTS/demo-guest.tsv" || true)
fail=$(grep -c '^fail' "$RESULTS/demo-guest.tsv" || true)
grep '^fail' "$RESULTS/demo-guest.tsv" | cut -f2- | sed 's/^/  FAILED: /' || true
# Both boots report every result they expect: a boot that died early
# has fewer
want=$(( $(scenario_checks "$TOP/tests/demo/demo-guest" | grep -c .) +
	$(scenario_checks "$TOP/tests/qemu/ims-nested-force" | grep -c .) + 4 +
	$(grep -c '^host:' "$TOP/tests/demo/demo-guest") + $(grep -c '^host:' "$TOP/tests/qemu/ims-nested-force") ))
echo "demo-guest: $pass passed, $fail failed (of $want)"
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$pass" -eq "$want" ]
