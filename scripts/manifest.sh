#!/usr/bin/env bash
# Write tests/manifest, the results "make check" must report besides those
# derived from the series (scripts/results.sh holds the results against
# it), one per line: "<step> <group> <name>", tab separated.
#   manifest.sh [scenarios|kunit]...   (no argument: both)
# scenarios: every file of tests/qemu, each with its boot, its checks in
#            order (the hung task check, the "check:" lines, the kmemleak
#            scan), its console scan and its host checks (the "host:"
#            lines of the nested ones); group: the scenario's name.
# kunit:     every KUnit case of the last KUnit run (build/kunit, or
#            KUNIT_DIR), which must be complete and unfiltered: run
#            "make kunit" first; group: the suite.
# The other part is kept as it is. The fixed entries (those of "fixed"
# below, the guest checks and console scan of the KUnit boot) are always
# written.
# Prints what changed; commit tests/manifest with the tests.
STEP=manifest
. "$(dirname "$0")/lib.sh"

manifest=${MANIFEST:-$TOP/tests/manifest}
kdir=${KUNIT_DIR:-$BUILD/kunit}
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(scenarios kunit)
do_scen=0 do_kunit=0
for w in "${what[@]}"; do
	case "$w" in
	scenarios) do_scen=1 ;;
	kunit) do_kunit=1 ;;
	*) die "usage: manifest.sh [scenarios|kunit]..." ;;
	esac
done

# The entries of STEP (and group GROUP, "*" for any) in the current manifest.
kept() {
	[ -f "$manifest" ] || return 0
	awk -F'\t' -v s="$1" -v g="$2" '$1 == s && (g == "*" || $2 == g)' "$manifest"
}

scenario_entries() {
	local f n c st
	while read -r f; do
		n=$(basename "$f")
		# The nested scenarios are make nested's (scripts/nested.sh)
		st=scenarios
		! grep -q '^vmm:' "$f" || st=nested
		printf '%s\t%s\t%s: boot\n' "$st" "$n" "$n"
		while IFS= read -r c; do
			[ -n "$c" ] && printf '%s\t%s\t%s: %s\n' "$st" "$n" "$n" "$c"
		done < <(scenario_checks "$f")
		printf '%s\t%s\t%s: console clean\n' "$st" "$n" "$n"
		while IFS= read -r c; do
			[ -n "$c" ] && printf '%s\t%s\t%s: host: %s\n' "$st" "$n" "$n" "$c"
		done < <(sed -n 's/^host:[[:space:]]*//p' "$f")
	done < <(find "$TOP/tests/qemu" -maxdepth 1 -type f | LC_ALL=C sort)
}

kunit_cases() {
	local log=$kdir/console.log
	[ -s "$kdir/cases.tsv" ] || die "no KUnit results in $kdir: run 'make kunit' first"
	grep -aq 'Kernel command line:.*kunit\.filter' "$log" &&
		die "the last KUnit run was filtered (KUNIT_FILTER or KUNIT_ATTR_FILTER): run 'make kunit' without"
	grep -aq '^# ims-test: done' "$log" ||
		die "the last KUnit run did not finish ($log): fix it, run 'make kunit' again"
	if grep -qE '\[CRASHED\]|missing|[Cc]ould not find' "$kdir/parse.log"; then
		grep -E '\[CRASHED\]|missing|[Cc]ould not find' "$kdir/parse.log" >&2
		die "the last KUnit run crashed or lost results ($kdir/parse.log)"
	fi
	awk -F'\t' '{ printf "kunit\t%s\tkunit: %s\n", $2, $3 }' "$kdir/cases.tsv"
}

# The results a step reports once per run, whatever the series: one per
# line, "<step>: <name>" as the step records it (roundtrip records just
# "roundtrip"). Add a line when a script gains such a result.
fixed=(
	"roundtrip"
	"each: sparse at HEAD"
	"each: full build at HEAD"
	"each: arm64 cross build"
)

new=$(mktemp)
trap 'rm -f "$new"' EXIT
{
	cat <<-'EOF'
	# The results "make check" must report, besides those derived from the
	# series (one per patch, per touched file, per commit, per variant: see
	# scripts/results.sh): "<step> <group> <name>", tab separated. A result
	# missing, or one not listed here, fails. Written by scripts/manifest.sh:
	#   scripts/manifest.sh scenarios   after adding, renaming or changing a
	#                                   scenario of tests/qemu or its checks
	#   make kunit && scripts/manifest.sh kunit
	#                                   after adding or renaming KUnit cases
	EOF
	for f in "${fixed[@]}"; do
		printf '%s\t-\t%s\n' "${f%%:*}" "$f"
	done
	while IFS= read -r c; do
		printf 'kunit\t-\tkunit: %s\n' "$c"
	done < <(kunit_checks)
	printf 'kunit\t-\tkunit: console clean\n'
	if [ "$do_kunit" = 1 ]; then
		kunit_cases
	else
		kept kunit '*' | awk -F'\t' '$2 != "-"'
	fi
	if [ "$do_scen" = 1 ]; then
		scenario_entries
	else
		kept scenarios '*'
		kept nested '*'
	fi
} > "$new"

if [ -f "$manifest" ] && cmp -s "$new" "$manifest"; then
	log "$manifest is up to date"
	exit 0
fi
if [ -f "$manifest" ]; then
	diff -u "$manifest" "$new" | sed -n 's/^\([-+]\)\([^-+]\)/\1\2/p' | grep -v '^[-+]#' | sed 's/^/  /' || true
fi
cp "$new" "$manifest"
log "wrote $manifest: $(grep -vc '^#' "$manifest") results;" \
	"$(awk -F'\t' '$1 == "scenarios" { s[$2] = 1 } END { print length(s) }' "$manifest") scenarios," \
	"$(awk -F'\t' '$1 == "kunit" && $2 != "-"' "$manifest" | grep -c .) KUnit cases"
