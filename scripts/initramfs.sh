#!/usr/bin/env bash
# Build the guest userland: build/initramfs/base.cpio, Debian's static
# busybox plus tests/qemu/lib: init, and every helper file lib/*.sh, which
# the guest's init sources from /lib.
STEP=initramfs
. "$(dirname "$0")/lib.sh"

bb=$(dpkg -L busybox-static 2>/dev/null | grep -m1 '/busybox$' || true)
[ -n "$bb" ] && [ -x "$bb" ] || die "no static busybox: apt-get install busybox-static"

out=$BUILD/initramfs
root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,lib,proc,sys,dev,tmp,root,etc}
cp "$bb" "$root/bin/busybox"
cp "$TOP/tests/qemu/lib/init" "$root/init"
cp "$TOP"/tests/qemu/lib/*.sh "$root/lib/"
chmod 755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out/base.cpio"
log "built $out/base.cpio ($(du -k "$out/base.cpio" | cut -f1) KiB)"
