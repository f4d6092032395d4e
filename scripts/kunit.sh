#!/usr/bin/env bash
# Run the KUnit suites built into the test kernel: boot it once in QEMU
# (-smp 2) with KUnit enabled, then let tools/testing/kunit/kunit.py parse
# the console. Every test case counts as one result; a console that shows
# a kernel problem fails too.
STEP=kunit
. "$(dirname "$0")/lib.sh"
results_reset

dir=$BUILD/kunit
rm -rf "$dir"
mkdir -p "$dir/root"
# After the suites, the guest scans for leaks they left behind.
echo kmemleak_clean > "$dir/root/checks"
guest_initrd "$dir"
log "booting the test kernel with the built-in KUnit suites"
rc=0
"$TOP/scripts/qemu.sh" "$dir/console.log" "$dir/initrd.cpio" "${KUNIT_TIMEOUT:-900}" \
	"kunit.enable=1 ${KUNIT_FILTER:+kunit.filter_glob=$KUNIT_FILTER} ${KUNIT_ATTR_FILTER:+kunit.filter=$KUNIT_ATTR_FILTER}" \
	-machine q35 -cpu max || rc=$?
[ "$rc" -eq 0 ] || result fail "kunit: boot" "qemu exited with $rc (124: timeout)"

python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$dir/results.json" \
	"$dir/console.log" > "$dir/parse.log" 2>&1 || true
grep -E '^\[..:..:..\] (Testing complete|Ran|=+ |\[FAILED\]|\[CRASHED\])' "$dir/parse.log" | sed 's/^/  /' || true

# One result per test case: "suite.case".
python3 - "$dir/results.json" > "$dir/cases.tsv" <<'PY' || true
import json, sys
doc = json.load(open(sys.argv[1]))
def walk(group, prefix):
    for case in group.get("test_cases", []):
        print(f'{case["status"]}\t{prefix}{case["name"]}')
    for sub in group.get("sub_groups", []):
        walk(sub, prefix + sub["name"] + ".")
walk(doc, "")
PY
while IFS=$'\t' read -r status name; do
	case "$status" in
	PASS) result pass "kunit: $name" ;;
	SKIP) log "SKIP $name" ;;
	*) result fail "kunit: $name" "$status" ;;
	esac
done < "$dir/cases.tsv"
[ -s "$dir/cases.tsv" ] || result fail "kunit: results" "no KUnit results in $dir/console.log"

if grep -aq '^ok [0-9]* kmemleak_clean' "$dir/console.log"; then
	result pass "kunit: no leaks after the suites"
else
	grep -a -A40 '^KTAP version 1$' "$dir/console.log" | grep -a '^# ' | head -n 40 >&2 || true
	result fail "kunit: no leaks after the suites" "the kmemleak scan failed or did not run"
fi

console_result kunit "$dir/console.log"
fails=$(grep -c '^fail' "$RESULTS/kunit.tsv" || true)
log "$(grep -c '^pass' "$RESULTS/kunit.tsv" || true) passed, $fails failed"
[ "$fails" -eq 0 ]
