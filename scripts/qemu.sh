#!/usr/bin/env bash
# Boot the test kernel once under QEMU (TCG) and capture the console.
#   qemu.sh LOG INITRD TIMEOUT "KERNEL ARGS" [QEMU ARGS...]
# The guest ends itself by rebooting (-no-reboot makes QEMU exit); a guest
# still running after TIMEOUT seconds is killed and the run fails with 124.
# A QEMU argument may name a scratch disk image as @disk:NAME:SIZE@, for
# example "-drive file=@disk:nvme0:64M@,if=none,id=d0,format=raw": it
# becomes NAME.img beside LOG, created empty (sparse, SIZE as truncate(1)
# takes it) for every boot.
. "$(dirname "$0")/lib.sh"

logf=$1 initrd=$2 limit=$3 append=$4
shift 4
kernel=$KOBJ/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no test kernel at $kernel: run 'make kernel'"

# Expand the @disk:NAME:SIZE@ placeholders.
args=()
for a in "$@"; do
	while [[ $a =~ @disk:([A-Za-z0-9_-]+):([0-9]+[KMG]?)@ ]]; do
		img=$(dirname "$logf")/${BASH_REMATCH[1]}.img
		rm -f "$img"
		truncate -s "${BASH_REMATCH[2]}" "$img" || die "cannot create disk image $img"
		a=${a/"${BASH_REMATCH[0]}"/$img}
	done
	args+=("$a")
done
set -- "${args[@]}"

# The human monitor on a unix socket, for commands the guest asks for
# (hot-unplug); scripts/monitor.py forwards them.
mon=$logf.monitor
rm -f "$mon"
python3 "$TOP/scripts/monitor.py" "$logf" "$mon" > "$logf.monitor-log" 2>&1 &
watcher=$!

set +e
timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
	-accel tcg -m "${QEMU_MEM:-1G}" -smp 2 \
	-display none -no-reboot -monitor "unix:$mon,server=on,wait=off" \
	-serial "file:$logf" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic $append" \
	"$@" </dev/null >"$logf.qemu" 2>&1
rc=$?
set -e
rm -f "$mon"
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
exit $rc
