#!/usr/bin/env bash
# Run the KUnit suites built into the test kernel: boot it once in QEMU
# (-smp 2) with KUnit enabled, then let tools/testing/kunit/kunit.py parse
# the console. Every test case counts as one result (a skipped case as
# skipped); a console that shows a kernel problem fails too. KUNIT_FILTER
# (a kunit.filter_glob) and KUNIT_ATTR_FILTER (a kunit.filter) run part
# of the suites; the results are held against the matching part of
# tests/manifest (scripts/results.sh). KUNIT_ARGS adds to the kernel
# command line, e.g. to replay a seed of pci-ims.ims_test_random:
#   KUNIT_FILTER=pci-ims.ims_test_random KUNIT_ARGS=ims_kunit.random_seed=0x1e57 make kunit
STEP=kunit
. "$(dirname "$0")/lib.sh"
results_reset

dir=$(realpath -m "${KUNIT_DIR:-$BUILD/kunit}")
rm -rf "$dir"
mkdir -p "$dir/root"
# After the suites, the guest checks that the hung task detector watched
# them (with the test kernel's default timeout, which stays above KUnit's
# own limit of 300 s per case) and scans for leaks they left behind.
kunit_checks > "$dir/root/checks"
want=$(grep -c . "$dir/root/checks")
rm -f "$RESULTS/kunit.filter" "$RESULTS/kunit.attr-filter"
[ -z "${KUNIT_FILTER:-}" ] || printf '%s\n' "$KUNIT_FILTER" > "$RESULTS/kunit.filter"
[ -z "${KUNIT_ATTR_FILTER:-}" ] || printf '%s\n' "$KUNIT_ATTR_FILTER" > "$RESULTS/kunit.attr-filter"
guest_initrd "$dir"
log "booting the test kernel with the built-in KUnit suites"
rc=0
QEMU_MEM=${QEMU_MEM:-2G} "$TOP/scripts/qemu.sh" "$dir/console.log" "$dir/initrd.cpio" "${KUNIT_TIMEOUT:-900}" \
	"kunit.enable=1 ${KUNIT_FILTER:+kunit.filter_glob=$KUNIT_FILTER} ${KUNIT_ATTR_FILTER:+kunit.filter=$KUNIT_ATTR_FILTER} ${KUNIT_ARGS:-}" \
	-machine q35 -cpu max || rc=$?
[ "$rc" -eq 0 ] || result fail "kunit: boot" "qemu exited with $rc (124: timeout)"

python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$dir/results.json" \
	"$dir/console.log" > "$dir/parse.log" 2>&1 || true
grep -E '^\[..:..:..\] (Testing complete|Ran|=+ |\[FAILED\]|\[CRASHED\])' "$dir/parse.log" | sed 's/^/  /' || true

# One result per test case: "suite.case" (".param" for a parameter);
# cases.tsv holds "<status> <suite> <suite.case>", tab separated.
python3 - "$dir/results.json" > "$dir/cases.tsv" <<'PY' || true
import json, sys
doc = json.load(open(sys.argv[1]))
def walk(group, prefix, suite):
    for case in group.get("test_cases", []):
        print(f'{case["status"]}\t{suite}\t{prefix}{case["name"]}')
    for sub in group.get("sub_groups", []):
        walk(sub, prefix + sub["name"] + ".", suite or sub["name"])
walk(doc, "", "")
PY
while IFS=$'\t' read -r status _ name; do
	case "$status" in
	PASS) result pass "kunit: $name" ;;
	SKIP) result skip "kunit: $name" ;;
	*) result fail "kunit: $name" "$status" ;;
	esac
done < "$dir/cases.tsv"
[ -s "$dir/cases.tsv" ] || result fail "kunit: results" "no KUnit results in $dir/console.log"

# The guest's checks after the suites: KTAP lines of their own, without
# the printk timestamp of KUnit's.
got=0
while IFS= read -r line; do
	line=${line%$'\r'}
	got=$((got + 1))
	case "$line" in
	ok\ *) result pass "kunit: ${line#ok [0-9]* }" ;;
	*) result fail "kunit: ${line#not ok [0-9]* }"
	   grep -a -B8 -F "$line" "$dir/console.log" | grep -a '^# ' >&2 || true ;;
	esac
done < <(grep -aE '^(not )?ok [0-9]+ ' "$dir/console.log" || true)
[ "$got" -eq "$want" ] ||
	result fail "kunit: guest checks" "$got of $want checks reported"

console_result kunit "$dir/console.log" --kunit
"$TOP/scripts/results.sh" "$RESULTS" kunit
