# shellcheck shell=bash
# Common definitions for the workbench scripts. Sourced, never run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
TREE=$BUILD/linux
KOBJ=$BUILD/kernel
PATCHES=$TOP/patches
RESULTS=${RESULTS:-$BUILD/results}
LOGS=$BUILD/logs
JOBS=${JOBS:-$(nproc)}

mkdir -p "$BUILD" "$LOGS" "$RESULTS"

# Log lines carry the seconds since the script started: where a step's
# time goes shows in its log.
log()  { printf '[%s %ds] %s\n' "${STEP:-workbench}" "$SECONDS" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "${STEP:-workbench}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${STEP:-workbench}" "$*" >&2; exit 1; }

# Read one key of the BASE file.
base_get() {
	sed -n "s/^$1=//p" "$TOP/BASE" | head -n 1
}

# The patch files named in patches/series, in order, comments and blank
# lines skipped.
series_patches() {
	[ -f "$PATCHES/series" ] || return 0
	grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$PATCHES/series" | sed 's/[[:space:]]*$//'
}

# Record one test result for the closing summary of "make check":
#   result pass|fail|skip NAME [DETAIL]
# scripts/results.sh holds every result against tests/manifest.
result() {
	local status=$1 name=$2 detail
	shift 2
	# One line per result: a console line's carriage return or a tab
	# in the detail would break it up
	detail=$*
	detail=${detail//[$'\r\t']/ }
	printf '%s\t%s\t%s\n' "$status" "$name" "$detail" >> "$RESULTS/${STEP:-misc}.tsv"
	case "$status" in
	pass) log "PASS $name" ;;
	skip) log "SKIP $name${*:+: $*}" ;;
	*) log "FAIL $name${*:+: $*}" ;;
	esac
}

# Start this step's result file afresh, and forget how a make check ended
# this step before (steps.tsv), which would otherwise count when the step
# runs alone.
results_reset() {
	: > "$RESULTS/${STEP:-misc}.tsv"
	[ ! -f "$RESULTS/steps.tsv" ] || sed -i "/^${STEP:-misc}\t/d" "$RESULTS/steps.tsv"
}

# git with the user's global and system configuration ignored, so that
# exported patches do not depend on who runs the export.
pgit() {
	GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
		git -c core.abbrev=12 -c diff.renames=true "$@"
}

need_tree() {
	git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null 2>&1 ||
		die "no scratch tree in $TREE: run 'make tree' first"
}

# The identity commits are made with when git has none configured (a fresh
# CI machine); a configured identity always wins.
default_identity() {
	if [ -z "$(git config user.email 2>/dev/null || true)" ]; then
		export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-IMS workbench}
		export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-workbench@invalid}
	fi
}

# Build DIR/initrd.cpio: the guest userland plus DIR/root/checks, the
# commands the guest's init runs as KTAP test points.
guest_initrd() {
	(cd "$1/root" && echo checks | cpio -o -H newc --quiet -R 0:0) > "$1/overlay.cpio"
	# The series' selftests (scripts/selftests.sh), when they are built
	cat "$BUILD/initramfs/base.cpio" "$1/overlay.cpio" \
		$([ -f "$BUILD/selftests/selftests.cpio" ] && echo "$BUILD/selftests/selftests.cpio") \
		> "$1/initrd.cpio"
}

# nested_initrd DIR VMM "L2 QEMU OPTIONS" "L2 KERNEL ARGS": build
# DIR/initrd.cpio for an L1 guest (the test kernel, with /dev/kvm under
# QEMU's -cpu max) whose init runs VMM, a qemu-system-x86_64 binary copied
# with its shared libraries and Debian's firmware, with KVM: L2 is the
# test kernel again, on q35 with two CPUs, running the checks of
# DIR/root/checks. L2's console and the VMM's stderr go to L1's console,
# in the order they happen; "# L1: the VMM exited with N" ends it.
nested_initrd() {
	local dir=$1 vmm=$2 l2qemu=$3 l2boot=$4 l1=$1/l1 l f
	rm -rf "$l1"
	mkdir -p "$l1/bin" "$l1/usr/share/qemu"
	: > "$dir/root/drain-console"
	(cd "$dir/root" && printf '%s\n' checks drain-console | cpio -o -H newc --quiet -R 0:0) > "$dir/overlay.cpio"
	cat "$BUILD/initramfs/base.cpio" "$dir/overlay.cpio" > "$l1/l2.cpio"
	cp "$KOBJ/arch/x86/boot/bzImage" "$l1/bzImage"
	cp "$vmm" "$l1/bin/qemu-system-x86_64"
	if ldd "$vmm" | grep -q 'not found'; then
		die "$vmm lacks shared libraries: $(ldd "$vmm" | grep 'not found' | tr '\n' ' ')"
	fi
	for l in $(ldd "$vmm" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }'); do
		mkdir -p "$l1$(dirname "$l")"
		cp -L "$l" "$l1$l"
	done
	for f in qboot.rom linuxboot_dma.bin kvmvapic.bin; do
		cp -L "/usr/share/qemu/$f" "$l1/usr/share/qemu/" ||
			die "no /usr/share/qemu/$f: apt-get install qemu-system-x86"
	done
	cat > "$l1/init" <<-INIT
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
	exec </dev/console >/dev/console 2>&1
	[ -c /dev/kvm ] || echo "# L1: no /dev/kvm"
	/bin/qemu-system-x86_64 -accel kvm -M q35 -smp 2 -m 768M \\
		-bios /usr/share/qemu/qboot.rom -L /usr/share/qemu -vga none -nic none \\
		-nographic -no-reboot $l2qemu \\
		-kernel /bzImage -initrd /l2.cpio \\
		-append "console=ttyS0 panic=-1 oops=panic kunit.enable=0 no_timer_check $NESTED_RCU_STALL sysctl.kernel.hung_task_timeout_secs=$SCENARIO_HUNG_TASK_TIMEOUT $l2boot"
	echo "# L1: the VMM exited with \$?"
	reboot -f
	INIT
	chmod 755 "$l1/init"
	(cd "$l1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$dir/l1.cpio"
	cat "$BUILD/initramfs/base.cpio" "$dir/l1.cpio" > "$dir/initrd.cpio"
	rm -rf "$l1" "$dir/l1.cpio"
}

# Record whether a guest console log is free of kernel problems:
#   console_result NAME LOG [--kunit]
console_result() {
	local bad
	if bad=$("$TOP/scripts/console-scan.sh" ${3:+"$3"} "$2"); then
		result pass "$1: console clean"
	else
		printf '%s\n' "$bad" | head -n 20 >&2
		result fail "$1: console clean" "$(printf '%s\n' "$bad" | head -n 1)"
	fi
}

# The RCU stall timeout of both kernels of a nested scenario, in seconds
# (21 by default): L2 runs under KVM on QEMU's emulated SVM, whose timer
# interrupts reach it late when the host is busy, and a boot next to
# another one was seen to report a stall of its rcu_sched kthread
# ("starved", "timer wakeup didn't happen") before init. A real stall
# still shows within the scenario's timeout.
NESTED_RCU_STALL="rcupdate.rcu_cpu_stall_timeout=120"

# The hung task timeout of the scenario boots, in seconds, set on their
# kernel command line; the KUnit boot keeps the test kernel's default.
SCENARIO_HUNG_TASK_TIMEOUT=${HUNG_TASK_TIMEOUT:-60}

# The guest checks of a scenario file, one per line, in the order the
# guest runs them: the hung task detector armed, the file's "check:"
# lines, the final kmemleak scan. scripts/run-scenario.sh runs them and
# scripts/manifest.sh lists them in tests/manifest.
scenario_checks() {
	echo "hung_task_timeout $SCENARIO_HUNG_TASK_TIMEOUT"
	sed -n 's/^check:[[:space:]]*//p' "$1"
	echo kmemleak_clean
}

# scenario_times NAME CONSOLE WALL CPU: one line of times.tsv: the
# scenario, its wall and QEMU CPU seconds, the guest's uptime when init
# started, the time its checks took, and its three slowest checks (from
# the "# time: START END" line run_checks prints after each).
scenario_times() {
	awk -v name="$1" -v wall="$3" -v cpu="$4" '
		/Run \/init as init process/ { sub(/^\[ */, ""); init = $1 + 0 }
		{ gsub(/\r/, "") }
		/^(not )?ok [0-9]+ / { sub(/^(not )?ok [0-9]+ /, ""); chk = $0 }
		/^# time: / { t[chk] += $4 - $3; sum += $4 - $3 }
		END {
			n = 0
			for (c in t) { k[++n] = c }
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (t[k[j]] > t[k[i]]) { x = k[i]; k[i] = k[j]; k[j] = x }
			top = ""
			for (i = 1; i <= n && i <= 3; i++)
				top = top sprintf("%s%s (%.0f s)", i > 1 ? ", " : "", k[i], t[k[i]])
			printf "%s\t%s\t%s\t%.0f\t%.0f\t%s\n", name, wall, cpu, init, sum, top
		}' "$2"
}

# The guest checks of the KUnit boot, after the suites: the hung task
# detector armed with the test kernel's default (above KUnit's own 300 s
# per case, as configs/ set it), and the kmemleak scan.
kunit_checks() {
	local hung
	hung=$(sed -n "s/^CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=//p" "$TOP"/configs/*.config | tail -n 1)
	echo "hung_task_timeout ${hung:-unset}"
	echo kmemleak_clean
}
