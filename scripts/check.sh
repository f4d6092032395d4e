#!/usr/bin/env bash
# Everything CI runs, in order, and one closing line over all of it:
# "N passed, N failed, N skipped". A step that fails does not stop the
# later steps that do not depend on it; a step whose dependency failed
# does not run, and its expected results count as skipped (the failure
# that stopped it counts as failed). scripts/results.sh does the
# accounting against tests/manifest: a result missing, or one nothing
# expects, fails; the build steps (deps, tree, initramfs, selftests, vmm,
# kernel) are no tests and add nothing to "passed".
STEP=check
. "$(dirname "$0")/lib.sh"

# CI runs everything: no partial KUnit run.
if [ -n "${KUNIT_FILTER:-}${KUNIT_ATTR_FILTER:-}${KUNIT_ARGS:-}" ]; then
	warn "make check runs every KUnit case as it is: ignoring KUNIT_FILTER, KUNIT_ATTR_FILTER and KUNIT_ARGS"
	unset KUNIT_FILTER KUNIT_ATTR_FILTER KUNIT_ARGS
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
start=$(date +%s)
declare -A failed=()

# step NAME [NEEDS...]: run scripts/NAME.sh unless a step it needs failed;
# record "<name> ok|failed|skipped <seconds> <why>" in steps.tsv.
step() {
	local name=$1 need t0 rc=0
	shift
	for need in "$@"; do
		if [ -n "${failed[$need]:-}" ]; then
			printf '%s\tskipped\t0\t%s failed\n' "$name" "$need" >> "$RESULTS/steps.tsv"
			log "SKIP $name: $need failed"
			failed[$name]=1
			return
		fi
	done
	t0=$(date +%s)
	log "=== $name"
	"$TOP/scripts/$name.sh" || rc=$?
	if [ "$rc" -eq 0 ]; then
		printf '%s\tok\t%s\t\n' "$name" "$(( $(date +%s) - t0 ))" >> "$RESULTS/steps.tsv"
	else
		failed[$name]=1
		printf '%s\tfailed\t%s\texit status %s\n' "$name" "$(( $(date +%s) - t0 ))" "$rc" >> "$RESULTS/steps.tsv"
	fi
	log "=== $name: $(( $(date +%s) - t0 )) s${failed[$name]:+, failed}"
}

step deps
step tree deps
step roundtrip tree
step checkpatch tree
step kerneldoc tree
step each tree
step kernel tree
step initramfs deps
step selftests tree
step kunit kernel initramfs
step scenarios kernel initramfs

# results.sh prints the step times and the total just above its closing
# line.
echo $(( $(date +%s) - start )) > "$RESULTS/total"
exec "$TOP/scripts/results.sh" "$RESULTS"
