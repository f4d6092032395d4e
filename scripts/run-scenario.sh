#!/usr/bin/env bash
# Run one scenario file of tests/qemu: boot the test kernel with its QEMU
# options and kernel command line, run its checks in the guest, and judge.
# A scenario file holds "key: value" lines:
#   qemu:    QEMU options (repeatable, joined)
#   boot:    kernel command line (repeatable, joined)
#   check:   one guest command, one KTAP test point (repeatable)
#   timeout: seconds before the boot counts as hung (default 300)
#   mem:     guest memory as QEMU's -m takes it (default QEMU_MEM, or 1G:
#            the final kmemleak scan reads all of it, 28 s for 2G)
# A nested scenario (one with a "vmm:" line) boots the test kernel as L1
# (qemu: and mem: are L1's; it needs -cpu max for KVM) and, from L1's
# init, the test kernel again as L2 under a VMM with KVM, where the checks
# run (boot: is L2's command line):
#   vmm:     "patched", the VMM of make vmm, or "stock", Debian's
#            qemu-system-x86_64 as the machine has it
#   l2:      the VMM's options for L2 besides machine, memory and kernel
#            (repeatable, joined), e.g. -cpu and the edu device
#   host:    a check run here after the boot on what the VMM printed
#            (scripts/host-checks.sh), one result each (repeatable)
# Every scenario also gets a first check that the hung task detector is
# armed with a timeout of HUNG_TASK_TIMEOUT seconds (60; set on the kernel
# command line, so that a task stuck in D state is reported well within
# the scenario's timeout) and a final kmemleak scan, and fails on a
# console line that console-scan.sh flags, on a timeout, or on a missing
# result. tests/manifest lists the results every scenario must report
# (scripts/manifest.sh).
# The guests boot with no_timer_check: under TCG on a loaded machine the
# kernel's early check that the timer ticks through the IO-APIC can miss
# and panic ("timer doesn't work through Interrupt-remapped IO-APIC"),
# which says nothing about the series.
STEP=${STEP:-scenarios}
. "$(dirname "$0")/lib.sh"

file=$1
# SCENARIO_NAME: another name for the results and build/scenarios/NAME
name=${SCENARIO_NAME:-$(basename "$file")}
[ -f "$file" ] || die "no scenario file $file"
field() { sed -n "s/^$1:[[:space:]]*//p" "$file"; }

qemu_args=$(field qemu | tr '\n' ' ')
boot_args=$(field boot | tr '\n' ' ')
limit=$(field timeout | tail -n 1)
limit=${limit:-300}
mem=$(field mem | tail -n 1)
vmm=$(field vmm | tail -n 1)

dir=$BUILD/scenarios/$name
rm -rf "$dir"
mkdir -p "$dir/root"
scenario_checks "$file" > "$dir/root/checks"
l1_args="kunit.enable=0 no_timer_check sysctl.kernel.hung_task_timeout_secs=$SCENARIO_HUNG_TASK_TIMEOUT"
case "$vmm" in
'') guest_initrd "$dir"
    l1_args="$l1_args $boot_args" ;;
patched | stock)
	if [ "$vmm" = patched ]; then
		vmm_bin=$BUILD/vmm/qemu-system-x86_64
	else
		vmm_bin=$(command -v qemu-system-x86_64 || true)
	fi
	if [ ! -x "$vmm_bin" ]; then
		# Like a step whose dependency failed: every result is skipped
		why="no $vmm VMM ${vmm_bin:-qemu-system-x86_64} (make vmm, make deps)"
		result skip "$name: boot" "$why"
		while IFS= read -r c; do
			result skip "$name: $c" "$why"
		done < "$dir/root/checks"
		result skip "$name: console clean" "$why"
		while IFS= read -r c; do
			[ -z "$c" ] || result skip "$name: host: $c" "$why"
		done < <(field host)
		exit 0
	fi
	nested_initrd "$dir" "$vmm_bin" "$(field l2 | tr '\n' ' ')" "$boot_args"
	l1_args="$l1_args $NESTED_RCU_STALL" ;;
*) die "$name: vmm: '$vmm' is neither patched nor stock" ;;
esac
want=$(grep -c . "$dir/root/checks")

log "$name: booting ($qemu_args)"
start=$(date +%s)
rc=0
cpu0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
# shellcheck disable=SC2086
QEMU_MEM=${mem:-${QEMU_MEM:-1G}} "$TOP/scripts/qemu.sh" "$dir/console.log" "$dir/initrd.cpio" "$limit" \
	"$l1_args" $qemu_args || rc=$?
wall=$(( $(date +%s) - start ))
# CPU time of QEMU (the waited-for children of this shell), in seconds
cpu=$(( ($(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat) - cpu0) / $(getconf CLK_TCK) ))
log "$name: guest ran $wall s (QEMU used $cpu s of CPU), console: $dir/console.log"
if [ -n "$vmm" ]; then
	# L1's and L2's uptime when their init started
	log "$name: $(tr -d '\r' < "$dir/console.log" | awk '
		/Run \/init as init process/ { sub(/^\[ */, ""); t[++n] = $1 + 0 }
		END { printf "L1 reached init after %.0f s of its uptime, L2 after %.0f s of its own", t[1], t[2] }')"
fi
scenario_times "$name" "$dir/console.log" "$wall" "$cpu" >> "$RESULTS/times.tsv"

# A nested L2 under KVM on QEMU's emulated SVM now and then loses its
# timer interrupts for minutes (RCU stalls naming a possible timer
# handling issue) or stops with its VMM: seen in about one nested boot in
# six, in ims-nested-force most. When L2 did not finish and none of its
# checks failed, boot once more; the first console stays beside the
# second, and a second such boot fails.
if [ -n "$vmm" ] && [ -z "${SCENARIO_RETRY:-}" ] &&
   ! grep -aq '^# ims-test: done' "$dir/console.log" && ! grep -aq '^not ok ' "$dir/console.log"; then
	cp "$dir/console.log" "$BUILD/scenarios/$name.first-console.log"
	log "$name: RETRY: L2 did not finish and no check failed ($(grep -ac '^ok ' "$dir/console.log") passed; rc $rc); booting once more; first console: $BUILD/scenarios/$name.first-console.log"
	SCENARIO_RETRY=1 exec "$0" "$@"
fi

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	result fail "$name: boot" "timed out after $limit s"
elif [ "$rc" -ne 0 ]; then
	result fail "$name: boot" "qemu exited with $rc: $(head -c 300 "$dir/console.log.qemu")"
elif ! grep -q '^# ims-test: done' "$dir/console.log"; then
	result fail "$name: boot" "the guest did not finish its checks"
elif [ -n "$vmm" ] && ! grep -aq '^# L1: the VMM exited with 0' "$dir/console.log"; then
	result fail "$name: boot" "the VMM in L1 failed: $(grep -a '^# L1: ' "$dir/console.log" | head -n 3)"
else
	result pass "$name: boot"
fi

got=0
while IFS= read -r line; do
	line=${line//$'\r'/}
	got=$((got + 1))
	case "$line" in
	ok\ *) result pass "$name: ${line#ok [0-9]* }" ;;
	*) result fail "$name: ${line#not ok [0-9]* }"
	   grep -B8 -F "$line" "$dir/console.log" | grep '^# ' >&2 || true ;;
	esac
done < <(grep -aE '^(not )?ok [0-9]+ ' "$dir/console.log" || true)
[ "$got" -eq "$want" ] ||
	result fail "$name: results" "$got of $want checks reported"

console_result "$name" "$dir/console.log"

# The host side of a nested scenario: what the VMM printed
if [ -n "$vmm" ]; then
	. "$TOP/scripts/host-checks.sh"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if out=$(CONSOLE=$dir/console.log; eval "$line" 2>&1); then
			result pass "$name: host: $line"
		else
			printf '%s\n' "$out" | head -n 20 | sed 's/^/# /' >&2
			result fail "$name: host: $line" "$(printf '%s\n' "$out" | head -n 1)"
		fi
	done < <(field host)
fi
