#!/usr/bin/env bash
# A manual smoke run of the guest path, the seed of the end-to-end
# scenarios of issue 11 (not in make check yet, and it asserts nothing):
# L0 QEMU (TCG, -cpu max) boots the test kernel as L1 with /dev/kvm, whose
# init runs the VMM of make vmm (Debian's QEMU + vmm/patches) with KVM:
# L2 is the test kernel on q35 with edu in strict IMS mode, running the
# check lines given as arguments (the helpers of tests/qemu/lib) and
# printing KTAP; the VMM's "pci-ims:" lines on stderr show every message
# it translated and every fault. KUnit is disabled in both kernels.
#   scripts/nested-smoke.sh 'ims_vectors 0000:00:04.0 32' 'ims_trigger_each 0000:00:04.0 1'
# NESTED_CPU and NESTED_EDU replace L2's -cpu and edu options, e.g.
# NESTED_CPU=host,kvm-pci-ims=off for a VMM which offers no hypercall;
# NESTED_APPEND adds to L2's command line, e.g. pci_ims=force.
# Needs make kernel initramfs vmm. Output: build/nested/console.log.
STEP=nested
. "$(dirname "$0")/lib.sh"

kernel=$BUILD/kernel/arch/x86/boot/bzImage
vmm=$BUILD/vmm/qemu-system-x86_64
base=$BUILD/initramfs/base.cpio
for f in "$kernel" "$vmm" "$base"; do
	[ -f "$f" ] || die "$f is missing: run make kernel initramfs vmm"
done
dir=$BUILD/nested
rm -rf "$dir"
mkdir -p "$dir/l2" "$dir/l1/bin" "$dir/l1/usr/share/qemu"

# L2: the scenario initramfs with the checks
printf '%s\n' "$@" > "$dir/l2/checks"
(cd "$dir/l2" && echo checks | cpio -o -H newc --quiet -R 0:0) > "$dir/l2.overlay"
cat "$base" "$dir/l2.overlay" > "$dir/l1/l2.cpio"

# L1: the VMM with its libraries and firmware, the kernel, the L2 initramfs
cp "$kernel" "$dir/l1/bzImage"
cp "$vmm" "$dir/l1/bin/"
for l in $(ldd "$vmm" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
	mkdir -p "$dir/l1$(dirname "$l")"
	cp -L "$l" "$dir/l1$l"
done
for f in qboot.rom linuxboot_dma.bin linuxboot.bin kvmvapic.bin pvh.bin multiboot_dma.bin; do
	cp -L "/usr/share/qemu/$f" "$dir/l1/usr/share/qemu/" 2>/dev/null || true
done
cpu=${NESTED_CPU:-host,kvm-pci-ims=on}
edu=${NESTED_EDU:-edu,ims-strict=on,dma_mask=0xffffffff,addr=04.0}
append=${NESTED_APPEND:-}
cat > "$dir/l1/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
[ -c /dev/kvm ] || echo "# L1: no /dev/kvm"
/bin/qemu-system-x86_64 -accel kvm -cpu $cpu -M q35 -smp 2 -m 768M \
	-bios /usr/share/qemu/qboot.rom -L /usr/share/qemu -vga none -nic none \
	-nographic -no-reboot \
	-device $edu \
	-kernel /bzImage -initrd /l2.cpio \
	-append "console=ttyS0 panic=-1 hung_task_timeout_secs=0 kunit.enable=0 $append" 2>&1
echo "# L1: the VMM exited with \$?"
reboot -f
INIT
chmod +x "$dir/l1/init"
(cd "$dir/l1" && find . | cpio -o -H newc --quiet -R 0:0) > "$dir/l1.overlay"
cat "$base" "$dir/l1.overlay" > "$dir/l1.cpio"

log "booting L1 and L2 (a few minutes); console: $dir/console.log"
timeout --foreground -k 10 900 qemu-system-x86_64 -accel tcg -cpu max -m 3G -smp 2 -M q35 \
	-nographic -no-reboot -kernel "$kernel" -initrd "$dir/l1.cpio" \
	-append "console=ttyS0 panic=-1 hung_task_timeout_secs=0 kunit.enable=0" \
	> "$dir/console.log" 2>&1 || warn "L0 QEMU ended with $?"
grep -E '^(ok|not ok) |^# |^pci-ims: |KVM-IMS|IMS domain' "$dir/console.log" | grep -v '^# \[' || true
