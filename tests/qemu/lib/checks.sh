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
		out=$( (eval "$line") 2>&1 )
		rc=$?
		printf '%s\n' "$out" | sed -e '/^$/d' -e 's/^/# /'
		if [ $rc -eq 0 ]; then
			echo "ok $n $line"
		else
			echo "not ok $n $line"
		fi
	done < "$1"
}

# The /proc/interrupts lines whose chip column is exactly CHIP.
irq_lines() {
	grep -E "[[:space:]]$1[[:space:]]" /proc/interrupts
}

# irq_chip CHIP MIN: at least MIN interrupts are on chip CHIP, for example
# "PCI-MSIX-0000:00:03.0" or "IR-PCI-MSIX-0000:00:03.0".
irq_chip() {
	got=$(irq_lines "$1" | grep -c .)
	if [ "$got" -lt "$2" ]; then
		echo "$got interrupts on $1, want at least $2; /proc/interrupts has:"
		grep -E 'PCI|IMS' /proc/interrupts
		return 1
	fi
	irq_lines "$1"
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
# scan finds no unreferenced object.
kmemleak_clean() {
	f=/sys/kernel/debug/kmemleak
	[ -w $f ] || { echo "no $f"; return 1; }
	sleep 6
	echo scan > $f
	echo scan > $f
	if grep -q unreferenced $f; then
		head -n 40 $f
		return 1
	fi
	echo "kmemleak: no leaks"
}

# show_interrupts: the message-signalled lines of /proc/interrupts, with
# the header naming the CPUs.
show_interrupts() {
	head -n 1 /proc/interrupts
	grep -E 'MSI|IMS' /proc/interrupts
}

# The edu IMS sample's debugfs directory for device $1 (e.g. 0000:00:04.0).
edu_dir() {
	echo /sys/kernel/debug/edu-ims/$1
}
