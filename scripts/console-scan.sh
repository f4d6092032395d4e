#!/usr/bin/env bash
# Print the lines of a guest console log that show a kernel problem:
# warnings, BUGs, oopses, call traces, KASAN, lockdep, kmemleak, UBSAN,
# hung tasks and RCU stalls; what lost interrupts look like: a vector
# without a handler, a move off an outgoing CPU which failed, an irq chip
# that left the effective affinity empty, dropped printk messages, and
# the edu sample's failed DMA; faults of the interrupt remapping units
# (VT-d fault records, AMD-Vi event log entries); and the series'
# "which is not allocated" report of a bad pci_ims_free_irq(). Exit 1
# when there is any.
#   console-scan.sh [--kunit] LOG
# With --kunit (the KUnit boot, and only there): the KUnit case
# ims_test_bad_free frees what is not allocated on purpose, so exactly one
# "which is not allocated" line is expected, inside that case's output,
# when the case ran and was not skipped; none anywhere else.
set -euo pipefail

kunit=0
if [ "${1:-}" = --kunit ]; then
	kunit=1
	shift
fi
log=${1:?usage: console-scan.sh [--kunit] LOG}
[ -r "$log" ] || { echo "no console log $log"; exit 1; }

pattern='WARNING:|BUG:|kernel BUG at|Oops|Call Trace:|KASAN:|UBSAN:|Kernel panic'
pattern+='|lockdep is turned off|turning off the locking correctness validator'
pattern+='|suspected memory leak|unreferenced object'
pattern+='|INFO: task .* blocked|rcu.*detected stalls|general protection fault'
# A sysctl of the kernel command line (the hung task timeout) not applied
pattern+='|Failed to set sysctl parameter'
# Lost interrupts
pattern+='|No irq handler for|printk messages dropped|cannot move it off CPU'
pattern+='|did not update eff\. affinity mask'
# The edu sample's device could not do what it was told
pattern+='|DMA timed out|storing the message failed'
# Intel VT-d: the fault interrupt, interrupt remapping and DMA fault records
pattern+='|DMAR: DRHD: handling fault status|\[INTR-REMAP\]|DMAR: \[DMA (Read|Write)'
# AMD-Vi: every event log entry (IO_PAGE_FAULT, INVALID_DEVICE_REQUEST,
# ILLEGAL_DEV_TABLE_ENTRY, ...), an empty one, a stuck command buffer
pattern+='|AMD-Vi: Event logged|AMD-Vi: No event written to event log'
pattern+='|AMD-Vi: Command buffer timeout|AMD-Vi: Completion-Wait loop timed out'
# The series: pci_ims_free_irq() of an interrupt which is not allocated
notalloc='which is not allocated'
pattern+="|$notalloc"

# The KUnit case that provokes the "which is not allocated" line.
kcase=ims_test_bad_free

PATTERN=$pattern NOTALLOC=$notalloc KCASE=$kcase awk -v kunit="$kunit" '
	BEGIN { pat = ENVIRON["PATTERN"]; na = ENVIRON["NOTALLOC"]; kc = ENVIRON["KCASE"] }
	{ sub(/\r$/, ""); line[NR] = $0 }
	# KUnit KTAP lines, after the printk timestamp
	kunit && $0 ~ ("^\\[ *[0-9]+\\.[0-9]+\\] +(not )?ok [0-9]+ " kc "( |$)") {
		case_end = NR
		case_start = prev
		case_skip = ($0 ~ /# SKIP/)
	}
	/^\[ *[0-9]+\.[0-9]+\] +(KTAP version|# Subtest:|(not )?ok [0-9]+ )/ { prev = NR }
	END {
		bad = 0
		inside = 0
		for (i = 1; i <= NR; i++) {
			if (line[i] !~ pat)
				continue
			if (kunit && index(line[i], na) && case_end && i > case_start && i < case_end) {
				inside++
				continue
			}
			print i ":" line[i]
			bad = 1
		}
		if (kunit) {
			want = (case_end && !case_skip) ? 1 : 0
			if (inside != want) {
				printf "%s: %d \"%s\" lines in KUnit case %s, want %d\n", FILENAME, inside, na, kc, want
				bad = 1
			}
		}
		exit bad
	}' "$log"
