# Traffic helpers for the MSI/MSI-X regression guard (tests/qemu/baseline-*):
# real I/O on QEMU's NVMe controller (dd with O_DIRECT) and on virtio-net
# (ping to the user-mode network's gateway), judged by the per-vector,
# per-CPU counts of /proc/interrupts before and after; affinity changes;
# unbind and rebind. A CHIP argument is the chip column of /proc/interrupts
# exactly, for example "IR-PCI-MSIX-0000:00:05.0"; the PCI device is its
# tail. Helpers say on failure what they saw. Uses cpulist, online_cpus and
# show_interrupts of checks.sh.

# The user-mode network (QEMU's slirp): its gateway answers ICMP echo.
NET_GUEST=10.0.2.15/24
NET_GW=10.0.2.2

# msix_dev CHIP: the PCI device CHIP names ("0000:00:05.0").
msix_dev() {
	echo "${1##*-}"
}

# irq_snap CHIP: one line "<irq> <name> <cpu> <count>" per vector of CHIP
# and online CPU, from /proc/interrupts (the header names the columns).
irq_snap() {
	awk -v chip="$1" '
		NR == 1 { n = NF; for (i = 1; i <= n; i++) cpu[i] = substr($i, 4); next }
		$(n + 2) == chip {
			irq = $1; sub(":", "", irq)
			for (i = 1; i <= n; i++) print irq, $NF, cpu[i], $(i + 1)
		}' /proc/interrupts
}

# msix_count CHIP: the number of vectors on CHIP.
msix_count() {
	irq_snap "$1" | awk '{ seen[$1] = 1 } END { print length(seen) }'
}

# msix_exact CHIP N: exactly N vectors on CHIP.
msix_exact() {
	got=$(msix_count "$1")
	if [ "$got" -ne "$2" ]; then
		echo "$got vectors on $1, want exactly $2; /proc/interrupts has:"
		show_interrupts
		return 1
	fi
	echo "$got vectors on $1: $(irq_snap "$1" | awk '!s[$1]++ { printf "%s%s(%s)", sep, $2, $1; sep = " " }')"
}

# irq_named CHIP NAME: the irq of the vector of CHIP whose name ends in NAME.
irq_named() {
	irq_snap "$1" | awk -v s="$2" 'substr($2, length($2) - length(s) + 1) == s { print $1; exit }'
}

# irq_rise BEFORE AFTER: "<irq> <name> <cpu> <before> <after>" for every
# vector and CPU of two irq_snap files; a vector missing from AFTER fails.
irq_rise() {
	awk 'FILENAME == ARGV[1] { b[$1 " " $3] = $4; next }
		{ k = $1 " " $3; if (!(k in b)) { print "irq " $1 " is new" > "/dev/stderr"; bad = 1 }
		  print $1, $2, $3, b[k] + 0, $4; delete b[k] }
		END { for (k in b) { print "irq " k " vanished" > "/dev/stderr"; bad = 1 }; exit bad }' "$1" "$2"
}

# wait_until SECONDS CMD...: poll CMD once a second until it succeeds.
wait_until() {
	t=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1))
		[ "$t" -ge 0 ] || return 1
		sleep 1
	done
}

# NVMe ------------------------------------------------------------------

# nvme_disk DEV: the block device of the first namespace of the NVMe
# controller at PCI device DEV ("nvme0n1"); fails while there is none.
nvme_disk() {
	for d in /sys/bus/pci/devices/"$1"/nvme/nvme*/nvme*n1; do
		[ -e "/dev/${d##*/}" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# nvme_ready CHIP N: the NVMe controller's namespace shows up as a block
# device (the driver probes asynchronously) and the controller has exactly
# N MSI-X vectors on CHIP: the admin queue's (nvmeXq0) and one per I/O
# queue.
nvme_ready() {
	dev=$(msix_dev "$1")
	[ -d /sys/bus/pci/drivers/nvme ] || { echo "no nvme driver: the kernel lacks CONFIG_BLK_DEV_NVME"; return 1; }
	wait_until 60 nvme_disk "$dev" ||
		{ echo "no NVMe namespace on $dev after 60 s, driver: $(readlink "/sys/bus/pci/devices/$dev/driver" || echo none)"; dmesg | grep -i nvme; return 1; }
	echo "/dev/$(nvme_disk "$dev"): $(cat "/sys/block/$(nvme_disk "$dev")/size") sectors"
	msix_exact "$1" "$2" || return 1
	irq_snap "$1" | awk '$2 ~ /q0$/ { a = 1 } END { exit !a }' ||
		{ echo "no admin queue vector (nvme*q0) on $1"; return 1; }
}

# nvme_read CHIP N: from each online CPU in turn, read N blocks of 4 KiB
# from the namespace with O_DIRECT (each read one NVMe command, each
# completion one interrupt). Each time, an I/O queue vector (nvmeXqI,
# I > 0) whose effective affinity holds that CPU must have risen by at
# least N in that CPU's column, and the sum over the chip's vectors by at
# least N; in the end every I/O queue vector must have risen.
nvme_read() {
	dev=$(msix_dev "$1")
	disk=$(nvme_disk "$dev") || { echo "no NVMe namespace on $dev"; return 1; }
	: > /tmp/tr-served
	for c in $(cpulist "$(online_cpus)"); do
		irq_snap "$1" > /tmp/tr-before
		taskset -c "$c" dd if="/dev/$disk" of=/dev/null bs=4096 count="$2" iflag=direct > /tmp/tr-dd 2>&1 ||
			{ cat /tmp/tr-dd; echo "dd on CPU $c failed"; return 1; }
		irq_snap "$1" > /tmp/tr-after
		irq_rise /tmp/tr-before /tmp/tr-after > /tmp/tr-rise || return 1
		grep -q "^$2+0 records in" /tmp/tr-dd || { cat /tmp/tr-dd; echo "dd did not read $2 blocks"; return 1; }
		# The I/O queue vectors that served this CPU's reads, in its column.
		served=$(awk -v c="$c" -v n="$2" '$2 ~ /q[1-9][0-9]*$/ && $3 == c && $5 - $4 >= n { print $1 }' /tmp/tr-rise)
		sum=$(awk '{ s += $5 - $4 } END { print s + 0 }' /tmp/tr-rise)
		echo "CPU $c: $2 reads; $(awk -v c="$c" '$3 == c { printf "%s%s %s->%s", sep, $2, $4, $5; sep = ", " }' /tmp/tr-rise) on CPU $c; all vectors +$sum"
		[ -n "$served" ] || { echo "no I/O queue vector rose by $2 on CPU $c:"; cat /tmp/tr-rise; return 1; }
		[ "$sum" -ge "$2" ] || { echo "the vectors of $1 rose by $sum in all, want at least $2"; return 1; }
		for irq in $served; do
			eff=$(cat "/proc/irq/$irq/effective_affinity_list")
			in_cpulist "$c" "$eff" || { echo "irq $irq served CPU $c, effective affinity $eff"; return 1; }
			echo "$irq" >> /tmp/tr-served
		done
	done
	for irq in $(awk '$2 ~ /q[1-9][0-9]*$/ && !s[$1]++ { print $1 }' /tmp/tr-after); do
		grep -qx "$irq" /tmp/tr-served || { echo "I/O queue vector irq $irq never rose"; show_interrupts; return 1; }
	done
	echo "every I/O queue vector of $1 rose, each on the CPU of its effective affinity"
}

# irq_managed CHIP NAME: the vector of CHIP whose name ends in NAME is a
# managed interrupt (NVMe's I/O queue vectors are): a write to its
# affinity from /proc is refused and changes nothing.
irq_managed() {
	irq=$(irq_named "$1" "$2")
	[ -n "$irq" ] || { echo "no vector named *$2 on $1"; show_interrupts; return 1; }
	old=$(cat "/proc/irq/$irq/smp_affinity_list")
	cpu=$(cpulist "$(online_cpus)" | grep -vx "$old" | head -n 1)
	if echo "$cpu" > "/proc/irq/$irq/smp_affinity_list" 2>/dev/null; then
		echo "irq $irq ($2) accepted affinity $cpu (was $old): not managed"
		return 1
	fi
	now=$(cat "/proc/irq/$irq/smp_affinity_list")
	[ "$now" = "$old" ] || { echo "irq $irq: affinity $now after a refused write, was $old"; return 1; }
	echo "irq $irq ($2, managed, affinity $old) refused affinity $cpu"
}

# nvme_admin_io DEV: admin commands: a namespace rescan (Identify).
nvme_admin_io() {
	for r in /sys/bus/pci/devices/"$1"/nvme/nvme*/rescan_controller; do
		echo 1 > "$r" || return 1
	done
	sleep 2
}

# virtio-net ------------------------------------------------------------

# net_if DEV: the network interface of the virtio-net device at DEV.
net_if() {
	for d in /sys/bus/pci/devices/"$1"/virtio*/net/*; do
		[ -e "$d" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# net_up CHIP N: the virtio-net device has exactly N vectors on CHIP
# (config, input.0, output.0 for one queue pair); its interface comes up
# with the guest's address of the user-mode network.
net_up() {
	dev=$(msix_dev "$1")
	[ -d /sys/bus/virtio/drivers/virtio_net ] || { echo "no virtio_net driver: the kernel lacks CONFIG_VIRTIO_NET"; return 1; }
	wait_until 30 net_if "$dev" ||
		{ echo "no network interface on $dev after 30 s, driver: $(readlink "/sys/bus/pci/devices/$dev/driver" || echo none)"; return 1; }
	ifc=$(net_if "$dev")
	ip link set "$ifc" up || { echo "ip link set $ifc up failed"; return 1; }
	ip addr add "$NET_GUEST" dev "$ifc" || { echo "ip addr add $NET_GUEST dev $ifc failed"; return 1; }
	ip addr show dev "$ifc" | grep -w inet
	msix_exact "$1" "$2"
}

# net_ping CHIP N: N pings to the gateway all answered; each queue vector
# (input.I, output.I) rose: the input vectors together by at least N.
net_ping() {
	irq_snap "$1" > /tmp/tr-before
	ping -c "$2" -i 0.2 -W 5 "$NET_GW" > /tmp/tr-ping 2>&1
	rc=$?
	irq_snap "$1" > /tmp/tr-after
	tail -n 2 /tmp/tr-ping
	grep -q " $2 packets received" /tmp/tr-ping || { echo "ping $NET_GW: not all $2 answered (exit $rc)"; return 1; }
	irq_rise /tmp/tr-before /tmp/tr-after > /tmp/tr-rise || return 1
	awk -v n="$2" '
		{ r[$2] += $5 - $4; b[$2] += $4; a[$2] += $5 }
		END {
			for (v in r) {
				printf "%s: %d -> %d (+%d)\n", v, b[v], a[v], r[v]
				if (v ~ /-(input|output)\.[0-9]+$/) {
					q++
					if (r[v] < 1) { print v " did not rise"; bad = 1 }
				}
				if (v ~ /-input\.[0-9]+$/) rx += r[v]
			}
			if (q < 2) { print "no input/output queue vectors"; bad = 1 }
			if (rx < n) { print "the input vectors rose by " rx ", want at least " n; bad = 1 }
			exit bad
		}' /tmp/tr-rise
}

# Affinity --------------------------------------------------------------

# irq_move CHIP NAME CMD...: move the vector of CHIP whose name ends in
# NAME to each online CPU in turn, the others first and its own last, and
# run CMD, which must cause interrupts on it. Behind interrupt remapping
# ("IR-" chips) x86 moves the vector at once: the effective affinity is the
# new CPU right after the write. Without it the move waits for the next
# interrupt (no IRQD_MOVE_PCNTXT: the message is rewritten from that
# interrupt's context): the effective affinity must still be the old CPU,
# and the new one after a first run of CMD. Either way, the interrupts of
# the next run of CMD must be counted in the new CPU's column and no other.
irq_move() {
	chip=$1 name=$2
	shift 2
	irq=$(irq_named "$chip" "$name")
	[ -n "$irq" ] || { echo "no vector named *$name on $chip"; show_interrupts; return 1; }
	case $chip in
	IR-*) mode=immediate ;;
	*) mode=deferred ;;
	esac
	for c in $(cpulist "$(online_cpus)" | grep -vx "$(cat "/proc/irq/$irq/effective_affinity_list")") \
		 $(cat "/proc/irq/$irq/effective_affinity_list"); do
		old=$(cat "/proc/irq/$irq/effective_affinity_list")
		echo "$c" > "/proc/irq/$irq/smp_affinity_list" ||
			{ echo "irq $irq: setting the affinity to CPU $c failed"; return 1; }
		eff=$(cat "/proc/irq/$irq/effective_affinity_list")
		if [ "$mode" = immediate ]; then
			[ "$eff" = "$c" ] ||
				{ echo "irq $irq: affinity set to $c, effective affinity $eff, want $c at once (remapped)"; return 1; }
			how="moved at once"
		else
			[ "$eff" = "$old" ] || [ "$c" = "$old" ] ||
				{ echo "irq $irq: affinity set to $c, effective affinity $eff at once, want $old until the next interrupt (not remapped)"; return 1; }
			"$@" > /tmp/tr-cmd 2>&1 || { cat /tmp/tr-cmd; echo "$* failed"; return 1; }
			eff=$(cat "/proc/irq/$irq/effective_affinity_list")
			[ "$eff" = "$c" ] ||
				{ echo "irq $irq: affinity set to $c, effective affinity $eff after an interrupt"; return 1; }
			how="moved at the next interrupt"
		fi
		irq_snap "$chip" > /tmp/tr-before
		"$@" > /tmp/tr-cmd 2>&1 || { cat /tmp/tr-cmd; echo "$* failed"; return 1; }
		irq_snap "$chip" > /tmp/tr-after
		irq_rise /tmp/tr-before /tmp/tr-after > /tmp/tr-rise || return 1
		awk -v irq="$irq" -v c="$c" '
			$1 == irq { printf "%sCPU%s %d->%d", sep, $3, $4, $5; sep = ", "
				if ($3 == c && $5 > $4) here = 1
				if ($3 != c && $5 != $4) away = 1 }
			END { printf "\n"
				if (!here) print "nothing counted on CPU " c
				if (away) print "counted on a CPU other than " c
				exit !here || away }' /tmp/tr-rise > /tmp/tr-move
		rc=$?
		echo "irq $irq ($name) CPU $old -> $c, $how: $(cat /tmp/tr-move)"
		[ $rc -eq 0 ] || return 1
	done
}

# Unbind and rebind -----------------------------------------------------

# pci_rebind CHIP DRIVER N: the device has exactly N vectors on CHIP;
# unbound from DRIVER, none remains; bound again (the probe may finish
# asynchronously: up to 60 s), exactly N come back.
pci_rebind() {
	dev=$(msix_dev "$1")
	n=$(msix_count "$1")
	[ "$n" -eq "$3" ] || { echo "$n vectors on $1 before unbind, want $3"; show_interrupts; return 1; }
	echo "$dev" > "/sys/bus/pci/drivers/$2/unbind" || { echo "unbinding $dev from $2 failed"; return 1; }
	[ ! -e "/sys/bus/pci/devices/$dev/driver" ] || { echo "$dev still has a driver"; return 1; }
	left=$(msix_count "$1")
	[ "$left" -eq 0 ] || { echo "$left vectors of $1 left after unbind:"; show_interrupts; return 1; }
	echo "unbound from $2: none of $n vectors left"
	echo "$dev" > "/sys/bus/pci/drivers/$2/bind" || { echo "binding $dev to $2 failed"; return 1; }
	drv=$(readlink "/sys/bus/pci/devices/$dev/driver")
	[ "${drv##*/}" = "$2" ] || { echo "$dev is bound to '${drv##*/}', want $2"; return 1; }
	i=0
	while [ "$(msix_count "$1")" -ne "$3" ] && [ "$i" -lt 60 ]; do
		i=$((i + 1))
		sleep 1
	done
	got=$(msix_count "$1")
	[ "$got" -eq "$3" ] || { echo "$got vectors on $1 after rebind, want $3"; show_interrupts; return 1; }
	echo "bound to $2 again: $got vectors"
}
