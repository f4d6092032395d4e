#!/usr/bin/env bash
# Build the test kernel out of tree in build/kernel: allnoconfig plus the
# fragments in configs/, merged by the kernel's merge_config.sh; ccache when
# present. Any requested option that does not survive the merge is an error.
STEP=kernel
. "$(dirname "$0")/lib.sh"
results_reset
need_tree

mkdir -p "$KOBJ"
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/ccache}
export KBUILD_BUILD_TIMESTAMP="2024-11-17" KBUILD_BUILD_USER=ims KBUILD_BUILD_HOST=workbench

# Extra fragments (for example a build variant) come from KCONFIG_EXTRA.
frags=("$TOP"/configs/*.config)
for f in ${KCONFIG_EXTRA:-}; do frags+=("$f"); done

log "configuring from ${#frags[@]} fragments"
(cd "$TREE" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$KOBJ" "${frags[@]}") \
	> "$LOGS/kernel-config.log" 2>&1 || {
	tail -n 20 "$LOGS/kernel-config.log" >&2
	result fail kernel-config "merge_config.sh failed"
	exit 1
}
lost=$(sed -n 's/^Value requested for \(CONFIG_[A-Z0-9_]*\) not in final .config/\1/p' "$LOGS/kernel-config.log")
if [ -n "$lost" ]; then
	for o in $lost; do
		grep -A2 "Value requested for $o " "$LOGS/kernel-config.log" >&2
	done
	result fail kernel-config "options lost in the merge: $(echo $lost)"
	exit 1
fi

log "building in $KOBJ with $JOBS jobs ($cc); full log: $LOGS/kernel.log"
set +e
make -C "$TREE" O="$KOBJ" ARCH=x86_64 CC="$cc" HOSTCC="$cc" -j"$JOBS" bzImage modules 2>&1 |
	tee "$LOGS/kernel.log" |
	awk '/^  (CC|AR|LD|AS)/ { n++; if (n % 250 == 0) { printf "[kernel] %d objects built\n", n; fflush() } }
	     /(warning|error):/ { print; fflush() }'
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
	grep -m 20 -E 'error|Error' "$LOGS/kernel.log" >&2 || true
	result fail kernel "build failed (log: $LOGS/kernel.log)"
	exit 1
fi
result pass kernel "$(cat "$KOBJ/include/config/kernel.release") built"
