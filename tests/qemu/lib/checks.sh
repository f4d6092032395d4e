# Check helpers for the scenario files in tests/qemu/. Each "check:" line of
# a scenario is one command run by run_checks and reported as one KTAP test
# point: exit status 0 passes. Helpers say on failure what they saw.

# run_checks FILE: one KTAP test point per line of FILE.
run_checks() {
	n=0
	total=$(grep -c . "$1")
	echo "KTAP version 1"
	echo "1..$total"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		n=$((n + 1))
		t0=$(cut -d' ' -f1 /proc/uptime)
		out=$( (eval "$line") 2>&1 )
		rc=$?
		t1=$(cut -d' ' -f1 /proc/uptime)
		printf '%s\n' "$out" | sed -e '/^$/d' -e 's/^/# /'
		if [ $rc -eq 0 ]; then
			echo "ok $n $line"
		else
			echo "not ok $n $line"
		fi
		# Guest uptime before and after the check (scripts/lib.sh
		# scenario_times)
		echo "# time: $t0 $t1"
		# A nested guest (scripts/lib.sh nested_initrd)
		[ ! -e /drain-console ] || drain_console
	done < "$1"
}

# The /proc/interrupts lines whose chip column is exactly CHIP.
irq_lines() {
	grep -E "[[:space:]]$1[[:space:]]" /proc/interrupts
}

# irq_chip CHIP N: exactly N interrupts are on chip CHIP, for example
# "PCI-MSIX-0000:00:03.0" or "IR-PCI-MSIX-0000:00:03.0": a leaked or
# duplicated interrupt fails as much as a missing one.
irq_chip() {
	case "$2" in
	'' | *[!0-9]*) echo "irq_chip: bad count '$2'"; return 1 ;;
	esac
	got=$(irq_lines "$1" | grep -c .)
	if [ "$got" -ne "$2" ]; then
		echo "$got interrupts on $1, want exactly $2; /proc/interrupts has:"
		grep -E 'PCI|IMS' /proc/interrupts
		return 1
	fi
	echo "$got interrupts on $1"
}

# irq_chip_absent PATTERN: no interrupt's line matches PATTERN.
irq_chip_absent() {
	if grep -E "$1" /proc/interrupts; then
		echo "unexpected: the lines above match $1"
		return 1
	fi
}

# dmesg_has REGEX / dmesg_lacks REGEX: the kernel log (does not) match.
dmesg_has() {
	dmesg | grep -E "$1" && return 0
	echo "kernel log has no line matching: $1"
	return 1
}
dmesg_lacks() {
	if dmesg | grep -E "$1"; then
		echo "kernel log has the lines above, matching: $1"
		return 1
	fi
}

# dmesg_line TEXT: exactly one line of the kernel log is TEXT, after its
# timestamp: the whole message, character for character.
dmesg_line() {
	n=$(dmesg | sed 's/^\[[^]]*\] //' | grep -cxF "$1")
	if [ "$n" -ne 1 ]; then
		echo "$n kernel log lines are exactly: $1"
		dmesg | grep -F "$(echo "$1" | cut -c1-40)"
		return 1
	fi
	echo "one line: $1"
}

# cpu_flag FLAG / cpu_flag_absent FLAG: /proc/cpuinfo flags of CPU 0.
cpu_flag() {
	grep -m1 '^flags' /proc/cpuinfo | grep -qw "$1" && return 0
	echo "CPU flag $1 missing"
	return 1
}
cpu_flag_absent() {
	grep -m1 '^flags' /proc/cpuinfo | grep -qw "$1" || return 0
	echo "CPU flag $1 present"
	return 1
}

# kmemleak_clean: after objects have aged past kmemleak's minimum age, a
# scan finds no unreferenced object. A scan that cannot run (no kmemleak
# file, kmemleak disabled, a failed write or read) fails.
kmemleak_clean() {
	f=/sys/kernel/debug/kmemleak
	[ -e $f ] || { echo "no $f"; return 1; }
	sleep 6
	echo scan > $f || { echo "kmemleak scan failed (kmemleak disabled?)"; return 1; }
	echo scan > $f || { echo "kmemleak scan failed (kmemleak disabled?)"; return 1; }
	report=$(cat $f) || { echo "reading $f failed"; return 1; }
	if echo "$report" | grep -q unreferenced; then
		echo "$report" | head -n 40
		return 1
	fi
	echo "kmemleak: no leaks"
}

# hung_task_timeout SECONDS: the hung task detector is armed, with a
# timeout of SECONDS.
hung_task_timeout() {
	f=/proc/sys/kernel/hung_task_timeout_secs
	[ -r $f ] || { echo "no $f: the kernel lacks CONFIG_DETECT_HUNG_TASK"; return 1; }
	# Not "read": sysctl files return EOF to a read at a non-zero offset,
	# and busybox reads one byte at a time
	t=$(cat $f)
	[ "$t" = "$1" ] || { echo "hung task timeout $t s, want $1"; return 1; }
	echo "hung task detector armed: $t s"
}

# show_interrupts: the message-signalled lines of /proc/interrupts, with
# the header naming the CPUs.
show_interrupts() {
	head -n 1 /proc/interrupts
	grep -E 'MSI|IMS' /proc/interrupts
}

# qemu_monitor CMD: have the host send CMD to the QEMU monitor (the host
# watches the console for this line; see scripts/monitor.py).
qemu_monitor() {
	echo "# ims-test: monitor $*" > /dev/console
}

# pci_gone DEV SECONDS: wait until PCI device DEV has been removed.
pci_gone() {
	i=0
	while [ -e "/sys/bus/pci/devices/$1" ]; do
		i=$((i + 1))
		[ "$i" -le "$2" ] || { echo "$1 is still present after $2 s"; return 1; }
		sleep 1
	done
	echo "$1 removed"
}

# ims_unplug DEV QDEV_ID: hot-unplug the device from QEMU while its IMS
# vectors are requested, and wait for the kernel to remove it.
ims_unplug() {
	n=$(grep -c . "$(edu_dir "$1")/vectors")
	[ "$n" -gt 0 ] || { echo "no IMS vectors requested"; return 1; }
	qemu_monitor "device_del $2"
	pci_gone "$1" 60 || return 1
	ims_gone "$1" || return 1
	echo "unplugged with $n IMS vectors requested; none left"
}

# The edu IMS sample's debugfs directory for device $1 (e.g. 0000:00:04.0).
edu_dir() {
	echo /sys/kernel/debug/edu-ims/$1
}

# The edu IMS sample's vector table: "<index> <irq> <deliveries> <cpu>".
ims_field() {
	awk -v i="$2" -v f="$3" '$1 == i { print $f }' "$(edu_dir "$1")/vectors"
}

# ims_irqs DEV [PREFIX]: the interrupts on DEV's IMS chip (PCI-IMS-DEV,
# IR-PCI-IMS-DEV behind interrupt remapping or HV-PCI-IMS-DEV where the
# hypervisor composes, with PREFIX in front, e.g. "orphan-"), allocated ones
# included, requested or not: from sysfs, which lists every interrupt
# descriptor, where /proc/interrupts shows only those with a handler or a
# delivery.
ims_irqs() {
	for f in /sys/kernel/irq/*/chip_name; do
		read -r c < "$f" || continue
		case "$c" in
		"${2:-}PCI-IMS-$1" | "${2:-}IR-PCI-IMS-$1" | "${2:-}HV-PCI-IMS-$1")
			f=${f%/chip_name}; echo "${f##*/}" ;;
		esac
	done
}

# ims_proc_lines DEV: how many /proc/interrupts lines are on DEV's IMS chip.
ims_proc_lines() {
	grep -cE "[[:space:]](IR-|HV-)?PCI-IMS-$1[[:space:]]" /proc/interrupts
}

# ims_gone DEV: no interrupt of DEV's IMS chip is left, neither a line
# in /proc/interrupts nor an allocated descriptor.
ims_gone() {
	[ -d /sys/kernel/irq ] || { echo "no /sys/kernel/irq"; return 1; }
	irq_chip_absent "[[:space:]](IR-|HV-)?PCI-IMS-$1[[:space:]]" || return 1
	left=$(ims_irqs "$1" | tr '\n' ' ')
	[ -z "$left" ] || { echo "interrupts of the IMS chip of $1 still allocated: $left"; return 1; }
	echo "no interrupt of the IMS chip of $1 is left"
}

# ims_vectors DEV N: allocate and request N IMS vectors on the edu sample
# (0: free them all). Exactly N interrupts are then on DEV's IMS chip, in
# /proc/interrupts and allocated.
ims_vectors() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	echo "$2" > "$d/vectors" || { echo "allocating $2 IMS vectors failed"; return 1; }
	got=$(grep -c . "$d/vectors")
	[ "$got" -eq "$2" ] || { echo "$got vectors allocated, want $2"; return 1; }
	if [ "$2" -eq 0 ]; then
		ims_gone "$1" || return 1
		echo "all IMS vectors freed"
		return 0
	fi
	lines=$(ims_proc_lines "$1")
	[ "$lines" -eq "$2" ] || { echo "/proc/interrupts has $lines lines on the IMS chip of $1, want $2"; return 1; }
	alloc=$(ims_irqs "$1" | grep -c .)
	[ "$alloc" -eq "$2" ] || { echo "$alloc interrupts allocated on the IMS chip of $1, want $2"; return 1; }
	echo "$got IMS vectors allocated and requested"
}

# ims_trigger_each DEV STEP: make the device send every STEP-th vector once.
# Each one triggered must arrive exactly once, at its own handler, and no
# other vector may see a delivery. Fails without vectors to trigger.
ims_trigger_each() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	case "$2" in
	'' | *[!0-9]* | 0) echo "ims_trigger_each: bad step '$2'"; return 1 ;;
	esac
	before=$(cat "$d/vectors") || { echo "reading $d/vectors failed"; return 1; }
	n=$(echo "$before" | grep -c .)
	[ "$n" -gt 0 ] || { echo "no IMS vectors on $1 to trigger"; return 1; }
	i=0
	while [ "$i" -lt "$n" ]; do
		echo "$i" > "$d/trigger" || { echo "trigger $i failed"; return 1; }
		i=$((i + $2))
	done
	sleep 1
	after=$(cat "$d/vectors") || { echo "reading $d/vectors failed"; return 1; }
	# One awk for the comparison: a process per vector costs seconds in a
	# KASAN guest under TCG
	printf '%s\n--\n%s\n' "$before" "$after" | awk -v step="$2" '
		NF == 0 { next }
		$0 == "--" { after = 1; next }
		!after { old[$1] = $3; n++; next }
		{
			seen++
			if (!($1 in old)) {
				printf "vector %s (irq %s) appeared while triggering\n", $1, $2
				fail = 1
				next
			}
			want = old[$1]
			if ($1 % step == 0) {
				want++
				sent++
			}
			if ($3 != want) {
				printf "vector %s (irq %s): %s deliveries, want %s\n", $1, $2, $3, want
				fail = 1
			}
		}
		END {
			if (seen != n) {
				printf "%d vectors after triggering, %d before\n", seen, n
				fail = 1
			}
			if (sent != int((n + step - 1) / step)) {
				printf "%d vectors triggered, want %d\n", sent, int((n + step - 1) / step)
				fail = 1
			}
			if (!fail)
				printf "%d of %d vectors triggered; each arrived exactly once, the others stayed silent\n", sent, n
			exit fail
		}'
}

# edu_msi_count DEV: deliveries of the device's own MSI (which the device
# raises at the end of every DMA), summed over the CPUs.
edu_msi_count() {
	awk -v dev="$1" '$0 ~ "[[:space:]](IR-)?PCI-MSI-" dev "[[:space:]]" {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
			s += $i
		found = 1
	} END { if (!found) exit 1; print s + 0 }' /proc/interrupts
}

# ims_trigger_lost DEV I: vector I is sent and does not arrive. The
# device's DMA of the message completes: the trigger succeeds (a DMA
# timeout fails it), and the device's own MSI at the end of the DMA
# arrives, exactly once; yet no IMS vector counts a delivery, and none is
# left pending.
ims_trigger_lost() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	before=$(cat "$d/vectors")
	[ -n "$(echo "$before" | awk -v i="$2" '$1 == i')" ] || { echo "no IMS vector $2"; return 1; }
	msi=$(edu_msi_count "$1") || { echo "no MSI line of $1 in /proc/interrupts"; return 1; }
	echo "$2" > "$d/trigger" || { echo "trigger $2 failed: the DMA did not complete"; return 1; }
	sleep 1
	now=$(edu_msi_count "$1")
	[ "$now" -eq $((msi + 1)) ] ||
		{ echo "the device's MSI: $now deliveries, want $((msi + 1)): the DMA did not complete once"; return 1; }
	after=$(cat "$d/vectors")
	if [ "$after" != "$before" ]; then
		echo "$before" > /tmp/ims-before
		echo "$after" | awk 'FILENAME == ARGV[1] { n[$1] = $3; next }
			$3 != n[$1] { print "vector " $1 " (irq " $2 "): " $3 " deliveries, want " n[$1] }' /tmp/ims-before -
		return 1
	fi
	[ -z "$(cat "$d/pending")" ] || { echo "pending: $(cat "$d/pending" | tr '\n' ' ')"; return 1; }
	echo "vector $2 sent (the DMA completed, the device's MSI went from $msi to $now) and not delivered"
}

# ims_affinity DEV I CPU: route vector I to CPU, trigger it: it arrives once, there.
ims_affinity() {
	irq=$(ims_field "$1" "$2" 2)
	old=$(ims_field "$1" "$2" 3)
	printf '%x\n' $((1 << $3)) > "/proc/irq/$irq/smp_affinity" ||
		{ echo "setting the affinity of irq $irq failed"; return 1; }
	echo "$2" > "$(edu_dir "$1")/trigger" || return 1
	sleep 1
	count=$(ims_field "$1" "$2" 3)
	cpu=$(ims_field "$1" "$2" 4)
	grep -E "^ *$irq:" /proc/interrupts
	if [ "$count" -ne $((old + 1)) ] || [ "$cpu" -ne "$3" ]; then
		echo "vector $2: $count deliveries (want $((old + 1))), last on CPU $cpu (want $3)"
		return 1
	fi
	echo "vector $2 (irq $irq) moved to CPU $3 and arrived there once"
}

# ims_masked DEV I: a masked vector stays silent; the trigger is kept
# pending and arrives once when the vector is unmasked.
ims_masked() {
	d=$(edu_dir "$1")
	old=$(ims_field "$1" "$2" 3)
	echo "$2 1" > "$d/mask" || return 1
	echo "$2" > "$d/trigger" || return 1
	sleep 1
	now=$(ims_field "$1" "$2" 3)
	[ "$now" -eq "$old" ] || { echo "masked vector $2 was delivered"; return 1; }
	grep -qx "$2" "$d/pending" || { echo "the trigger of masked vector $2 is not pending"; return 1; }
	echo "$2 0" > "$d/mask" || return 1
	sleep 1
	now=$(ims_field "$1" "$2" 3)
	[ "$now" -eq $((old + 1)) ] || { echo "vector $2: $now deliveries after unmask, want $((old + 1))"; return 1; }
	[ -z "$(cat "$d/pending")" ] || { echo "still pending after unmask"; return 1; }
	echo "masked vector $2 stayed silent; its pending trigger arrived once when unmasked"
}

# ims_refused DEV REASON: the IMS domain was refused with REASON in the
# log line, the sample runs on MSI alone, and no IMS vector exists.
ims_refused() {
	dmesg | grep -E "$1: IMS domain not created: .*$2" ||
		{ echo "no refusal naming: $2"; dmesg | grep -iE 'ims'; return 1; }
	dmesg | grep -q "$1: edu IMS sample: no IMS, MSI only" || { echo "the sample did not fall back"; return 1; }
	if echo 1 > "$(edu_dir "$1")/vectors" 2>/dev/null; then
		echo "allocating an IMS vector succeeded"
		return 1
	fi
	irq_chip_absent 'PCI-IMS'
}

# tainted_user: the kernel carries the user taint (U, bit 6).
tainted_user() {
	t=$(cat /proc/sys/kernel/tainted)
	[ $((t & 64)) -ne 0 ] && { echo "tainted: $t"; return 0; }
	echo "not tainted U: $t"
	return 1
}

# ims_unbind DEV: unbind the edu sample from DEV with its IMS vectors still
# requested; nothing of IMS may remain.
ims_unbind() {
	n=$(grep -c . "$(edu_dir "$1")/vectors")
	[ "$n" -gt 0 ] || { echo "no IMS vectors requested"; return 1; }
	echo "$1" > /sys/bus/pci/drivers/edu-ims/unbind || { echo "unbind failed"; return 1; }
	ims_gone "$1" || return 1
	[ ! -e "$(edu_dir "$1")" ] || { echo "debugfs directory left behind"; return 1; }
	echo "unbound with $n IMS vectors requested; none left"
}

# CPU hotplug and suspend. The expected delivery count of every vector is
# kept in /tmp/ims-expect.DEV ("<index> <count> <pending>") across checks.

# cpulist LIST: the CPUs of a list like "0-2,5", one per line.
cpulist() {
	echo "$1" | tr ',' '\n' | while IFS=- read -r a b; do
		[ -n "$a" ] && seq "$a" "${b:-$a}"
	done
}

# in_cpulist CPU LIST: CPU is in LIST.
in_cpulist() {
	cpulist "$2" | grep -qx "$1"
}

online_cpus() {
	cat /sys/devices/system/cpu/online
}

# ims_spread DEV: route IMS vector I to CPU I modulo the number of online
# CPUs; each one's effective affinity must follow.
ims_spread() {
	ncpu=$(cpulist "$(online_cpus)" | grep -c .)
	while read -r idx irq count cpu req; do
		want=$((idx % ncpu))
		printf '%x\n' $((1 << want)) > "/proc/irq/$irq/smp_affinity" ||
			{ echo "setting the affinity of irq $irq failed"; return 1; }
		read -r eff < "/proc/irq/$irq/effective_affinity_list"
		[ "$eff" = "$want" ] || { echo "irq $irq: effective affinity $eff, want $want"; return 1; }
	done < "$(edu_dir "$1")/vectors"
	echo "vectors spread over $ncpu CPUs"
}

# ims_expect_init DEV: start counting from the current deliveries.
ims_expect_init() {
	grep -q . "$(edu_dir "$1")/vectors" || { echo "no IMS vectors"; return 1; }
	awk '{ print $1, $3, 0 }' "$(edu_dir "$1")/vectors" > "/tmp/ims-expect.$1"
	echo "$(grep -c . "/tmp/ims-expect.$1") vectors"
}

# The vectors with their affinity, one line each, in FILE:
# "<index> <irq> <deliveries> <cpu> <affinity list> <effective list>".
# Shell builtins only, so that 64 vectors cost no process each.
ims_snapshot() {
	: > "$2"
	while read -r idx irq count cpu req; do
		read -r aff < "/proc/irq/$irq/smp_affinity_list"
		read -r eff < "/proc/irq/$irq/effective_affinity_list"
		echo "$idx $irq $count $cpu $aff $eff" >> "$2"
	done < "$(edu_dir "$1")/vectors"
}

# awk helpers: in_list(cpu, "0-2,5"), deliverable(affinity list): a
# managed vector none of whose CPUs is online is shut down (mode
# "managed"); other vectors always have an online target.
IMS_AWK='
function in_list(c, l,    n, i, r, a) {
	n = split(l, r, ",")
	for (i = 1; i <= n; i++) {
		if (split(r[i], a, "-") == 1)
			a[2] = a[1]
		if (c + 0 >= a[1] + 0 && c + 0 <= a[2] + 0)
			return 1
	}
	return 0
}
function deliverable(aff,    n, i, r, a, c) {
	if (mode != "managed")
		return 1
	n = split(aff, r, ",")
	for (i = 1; i <= n; i++) {
		if (split(r[i], a, "-") == 1)
			a[2] = a[1]
		for (c = a[1] + 0; c <= a[2] + 0; c++)
			if (in_list(c, on))
				return 1
	}
	return 0
}'

# ims_verify DEV [fresh]: every vector's deliveries are exactly the
# expected ones; with "fresh" (right after triggering) the last delivery
# of each delivered vector was on an online CPU of its effective
# affinity; the vectors with a trigger held back are exactly those listed
# as pending; /proc/interrupts has exactly one line per vector.
ims_verify() {
	d=$(edu_dir "$1")
	exp="/tmp/ims-expect.$1"
	[ -f "$exp" ] || { echo "no expectations: run ims_expect_init first"; return 1; }
	ims_snapshot "$1" /tmp/ims-snap
	cat "$d/pending" > /tmp/ims-pending
	on=$(online_cpus)
	n=$(grep -c . /tmp/ims-snap)
	[ "$n" -gt 0 ] || { echo "no IMS vectors"; return 1; }
	awk -v on="$on" -v fresh="${2:-}" "$IMS_AWK"'
		FILENAME == ARGV[1] { want[$1] = $2; pend[$1] = $3; next }
		FILENAME == ARGV[2] { pending[$1] = 1; next }
		{
			seen[$1] = 1
			if ($3 != want[$1]) {
				print "vector " $1 " (irq " $2 "): " $3 " deliveries, want " want[$1]; bad = 1
			}
			if (fresh == "fresh" && pend[$1] == 0 && !(in_list($4, $6) && in_list($4, on))) {
				print "vector " $1 " (irq " $2 "): last delivery on CPU " $4 ", effective affinity " $6 ", online " on; bad = 1
			}
			if (($1 in pending) != (pend[$1] == 1)) {
				print "vector " $1 ": pending is " ($1 in pending) ", want " pend[$1]; bad = 1
			}
		}
		END {
			for (i in want) if (!(i in seen)) { print "vector " i " is gone"; bad = 1 }
			exit bad
		}' "$exp" /tmp/ims-pending /tmp/ims-snap || return 1
	lines=$(grep -cE "[[:space:]](IR-|HV-)?PCI-IMS-$1[[:space:]]" /proc/interrupts)
	[ "$lines" -eq "$n" ] || { echo "/proc/interrupts has $lines IMS lines, want $n"; return 1; }
	echo "$n vectors: deliveries as expected${2:+, on online CPUs of their effective affinity} (online: $on)"
}

# ims_deliver DEV [managed]: trigger every vector once. Each one that can
# be delivered must arrive exactly once; a managed one whose CPUs are all
# offline must be held back as pending.
ims_deliver() {
	d=$(edu_dir "$1")
	exp="/tmp/ims-expect.$1"
	[ -f "$exp" ] || { echo "no expectations: run ims_expect_init first"; return 1; }
	while read -r idx irq count cpu req; do
		echo "$idx" > "$d/trigger" || { echo "trigger $idx failed"; return 1; }
	done < "$d/vectors"
	ims_snapshot "$1" /tmp/ims-snap
	awk -v mode="${2:-}" -v on="$(online_cpus)" "$IMS_AWK"'
		FILENAME == ARGV[1] { aff[$1] = $5; next }
		!($1 in aff) { print "vector " $1 " has no expectation" > "/dev/stderr"; exit 1 }
		deliverable(aff[$1]) { print $1, $2 + 1, 0; sent++; next }
		{ print $1, $2, 1; held++ }
		END { printf "triggered %d deliverable and %d held-back vectors\n", sent, held > "/dev/stderr" }
	' /tmp/ims-snap "$exp" > "$exp.new" || return 1
	mv "$exp.new" "$exp"
	sleep 2
	ims_verify "$1" fresh
}

# ims_cpu DEV CPU 0|1 [managed]: take CPU offline or bring it online. The
# vectors on it must move off it without a delivery; a held-back trigger
# of a managed vector whose CPU comes back must arrive once.
ims_cpu() {
	echo "$3" > "/sys/devices/system/cpu/cpu$2/online" ||
		{ echo "setting CPU $2 online=$3 failed"; return 1; }
	exp="/tmp/ims-expect.$1"
	[ -f "$exp" ] || { echo "no expectations: run ims_expect_init first"; return 1; }
	ims_snapshot "$1" /tmp/ims-snap
	awk -v mode="${4:-}" -v on="$(online_cpus)" -v cpu="$2" -v up="$3" "$IMS_AWK"'
		FILENAME == ARGV[1] { aff[$1] = $5; eff[$1] = $6; next }
		up == 0 && deliverable(aff[$1]) && in_list(cpu, eff[$1]) {
			print "vector " $1 ": still on offline CPU " cpu > "/dev/stderr"; bad = 1
		}
		up == 1 && $3 == 1 && deliverable(aff[$1]) { print $1, $2 + 1, 0; next }
		{ print }
		END { exit bad }
	' /tmp/ims-snap "$exp" > "$exp.new" || return 1
	mv "$exp.new" "$exp"
	sleep 2
	echo "CPU $2 online=$3"
	ims_verify "$1"
}

# ims_vectors_managed DEV N: allocate and request N managed IMS vectors,
# vector I affine to the I-th online CPU.
ims_vectors_managed() {
	echo "$2 managed" > "$(edu_dir "$1")/vectors" ||
		{ echo "allocating $2 managed IMS vectors failed"; return 1; }
	got=$(grep -c . "$(edu_dir "$1")/vectors")
	[ "$got" -eq "$2" ] || { echo "$got vectors allocated, want $2"; return 1; }
	echo "$got managed IMS vectors allocated and requested"
}

# ims_capacity DEV N ALLOC_ERR REQ_ERR [ALLOCATED]: allocate N IMS vectors
# as far as possible, then request as many as possible. Allocation must
# end with error ALLOC_ERR (0: all N allocated), after exactly ALLOCATED
# vectors when given, and requesting with REQ_ERR (0: all requested), both
# at a count above zero; every requested vector and only those show in
# /proc/interrupts. Prints the counts.
ims_capacity() {
	d=$(edu_dir "$1")
	echo "$2 alloc" > "$d/vectors" || { echo "writing '$2 alloc' failed"; return 1; }
	want_alloc=${5:-}
	set -- "$1" "$2" "$3" "$4" "$want_alloc" $(cat "$d/capacity")
	echo "capacity: allocated $7 (error $9), requested ${11} (error ${13}) of $2"
	[ "$7" -gt 0 ] && [ "${11}" -gt 0 ] || { echo "nothing allocated or requested"; return 1; }
	[ "$9" -eq "$3" ] || { echo "allocation ended with $9, want $3"; return 1; }
	[ "$3" -ne 0 ] || [ "$7" -eq "$2" ] || { echo "allocated $7, want $2"; return 1; }
	[ -z "${5:-}" ] || [ "$7" -eq "$5" ] || { echo "allocated $7, want $5"; return 1; }
	[ "${13}" -eq "$4" ] || { echo "requesting ended with ${13}, want $4"; return 1; }
	[ "$4" -ne 0 ] || [ "${11}" -eq "$7" ] || { echo "requested ${11}, want $7"; return 1; }
	lines=$(ims_proc_lines "$1")
	[ "$lines" -eq "${11}" ] || { echo "/proc/interrupts has $lines IMS lines, want ${11}"; return 1; }
	alloc=$(ims_irqs "$1" | grep -c .)
	[ "$alloc" -eq "$7" ] || { echo "$alloc interrupts allocated on the IMS chip, want $7"; return 1; }
	req=$(awk '$5 == 1' "$d/vectors" | grep -c .)
	[ "$req" -eq "${11}" ] || { echo "$req vectors marked requested, want ${11}"; return 1; }
}

# ims_trigger_requested DEV: trigger the first and the last requested
# vector; each arrives exactly once.
ims_trigger_requested() {
	d=$(edu_dir "$1")
	for idx in $(awk '$5 == 1 { print $1 }' "$d/vectors" | sed -n '1p;$p'); do
		old=$(ims_field "$1" "$idx" 3)
		echo "$idx" > "$d/trigger" || { echo "trigger $idx failed"; return 1; }
		sleep 1
		now=$(ims_field "$1" "$idx" 3)
		[ "$now" -eq $((old + 1)) ] || { echo "vector $idx: $now deliveries, want $((old + 1))"; return 1; }
		echo "vector $idx arrived once"
	done
}

# suspend_cycle: a real ACPI S3 cycle. The host wakes the guest with the
# QEMU monitor's system_wakeup once QEMU reports it suspended, and the
# firmware resumes it. Every non-boot CPU must have gone down and come
# back.
suspend_cycle() {
	grep -qw mem /sys/power/state || { echo "no suspend to RAM: $(cat /sys/power/state)"; return 1; }
	before=$(dmesg | grep -cE 'CPU ?[0-9]+ is now offline' || true)
	resumed=$(dmesg | grep -c 'ACPI: PM: Low-level resume complete' || true)
	qemu_monitor wakeup-when-suspended
	echo mem > /sys/power/state || { echo "suspend failed"; dmesg | tail -n 20; return 1; }
	after=$(dmesg | grep -cE 'CPU ?[0-9]+ is now offline' || true)
	[ "$(dmesg | grep -c 'ACPI: PM: Low-level resume complete')" -eq $((resumed + 1)) ] ||
		{ echo "no resume from S3 through the firmware"; return 1; }
	ncpu=$(cpulist "$(online_cpus)" | grep -c .)
	[ $((after - before)) -eq $((ncpu - 1)) ] ||
		{ echo "$((after - before)) CPUs went offline, want $((ncpu - 1))"; return 1; }
	dmesg | grep -E 'PM: suspend (entry|exit)|Low-level resume' | tail -n 3
	echo "suspended to RAM (S3) and resumed; online: $(online_cpus)"
}
