#!/usr/bin/env bash
# Everything CI runs, in order, and one closing line over all of it:
# "N passed, N failed". A step that fails does not stop the later steps
# that do not depend on it.
STEP=check
. "$(dirname "$0")/lib.sh"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
start=$(date +%s)
declare -A failed=()

# step NAME [NEEDS...]: run scripts/NAME.sh unless a step it needs failed.
step() {
	local name=$1 need t0
	shift
	for need in "$@"; do
		if [ -n "${failed[$need]:-}" ]; then
			printf 'fail\t%s\tskipped: %s failed\n' "$name" "$need" >> "$RESULTS/$name.tsv"
			log "SKIP $name: $need failed"
			failed[$name]=1
			return
		fi
	done
	t0=$(date +%s)
	log "=== $name"
	if "$TOP/scripts/$name.sh"; then
		[ -s "$RESULTS/$name.tsv" ] || printf 'pass\t%s\t\n' "$name" >> "$RESULTS/$name.tsv"
	else
		failed[$name]=1
		grep -q '^fail' "$RESULTS/$name.tsv" 2>/dev/null ||
			printf 'fail\t%s\t\n' "$name" >> "$RESULTS/$name.tsv"
	fi
	log "=== $name: $(( $(date +%s) - t0 )) s"
}

step deps
step tree deps
step roundtrip tree
step checkpatch tree
step kerneldoc tree
step each tree
step kernel tree
step initramfs deps
step kunit kernel initramfs
step scenarios kernel initramfs

pass=$(cat "$RESULTS"/*.tsv | grep -c '^pass' || true)
fail=$(cat "$RESULTS"/*.tsv | grep -c '^fail' || true)
if [ "$fail" -gt 0 ]; then
	echo "Failed:"
	cat "$RESULTS"/*.tsv | awk -F'\t' '$1 == "fail" { print "  " $2 (length($3) ? ": " $3 : "") }'
fi
log "took $(( ($(date +%s) - start) / 60 )) min"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
