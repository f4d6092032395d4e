#!/usr/bin/env bash
# Build the kselftests the series adds (tools/testing/selftests/kvm/x86_64/
# files new in base..HEAD), statically linked for the busybox guests, and
# pack them as build/selftests/selftests.cpio, which every scenario's
# initramfs carries in /bin (scripts/lib.sh guest_initrd). The uapi headers
# come from the scratch tree, installed under build/selftests/hdr, so the
# tree stays clean. A scenario check runs them (tests/qemu/lib/kvm.sh).
STEP=selftests
. "$(dirname "$0")/lib.sh"
results_reset
need_tree

out=$BUILD/selftests
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/ccache}
mkdir -p "$out/root/bin"
rm -f "$out/root/bin/"* "$out/selftests.cpio"

mapfile -t tests < <(git -C "$TREE" diff --name-only --diff-filter=A base..HEAD -- \
	'tools/testing/selftests/kvm/x86_64/*.c' | sed 's|.*/||; s|\.c$||')
if [ ${#tests[@]} -eq 0 ]; then
	log "the series adds no KVM selftest"
	exit 0
fi

log "uapi headers into $out/hdr"
make -C "$TREE" O="$out/hdr" ARCH=x86_64 HOSTCC="$cc" headers > "$LOGS/selftests-headers.log" 2>&1 || {
	tail -n 20 "$LOGS/selftests-headers.log" >&2
	die "make headers failed (log: $LOGS/selftests-headers.log)"
}
for t in "${tests[@]}"; do
	log "building $t (static)"
	# EXTRA_CFLAGS, not LDFLAGS: the Makefile's LDFLAGS carry -pthread
	if ! make -C "$TREE/tools/testing/selftests/kvm" ARCH=x86_64 CC="$cc" \
		OUTPUT="$out/kvm" KHDR_INCLUDES="-isystem $out/hdr/usr/include" \
		EXTRA_CFLAGS=-static -j"$JOBS" "$out/kvm/x86_64/$t" > "$LOGS/selftests-$t.log" 2>&1; then
		grep -E 'error|Error' "$LOGS/selftests-$t.log" | head -n 20 >&2
		die "$t does not build (log: $LOGS/selftests-$t.log)"
	fi
	if grep -E 'warning:' "$LOGS/selftests-$t.log" | grep -q "x86_64/$t.c"; then
		grep -E 'warning:' "$LOGS/selftests-$t.log" >&2
		die "$t builds with warnings (log: $LOGS/selftests-$t.log)"
	fi
	cp "$out/kvm/x86_64/$t" "$out/root/bin/"
done
(cd "$out/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out/selftests.cpio"
log "built $out/selftests.cpio: ${tests[*]}"
