#!/usr/bin/env bash
# The accounting of "make check": hold the results of a results directory
# against what is expected, and print the closing line
#   N passed, N failed, N skipped
# Exit 0 only when nothing failed.
#   results.sh [RESULTS_DIR [STEP...]]
# RESULTS_DIR defaults to build/results; the steps default to those that
# scripts/check.sh recorded in RESULTS_DIR/steps.tsv ("<step> ok|failed|
# skipped <seconds> <why>"), else to every STEP.tsv there. It runs alone
# on any results directory, e.g. a copy.
#
# Expected results:
# - kunit, scenarios, and the results a step reports once per run
#   (roundtrip, the full and cross builds of each): tests/manifest
#   (MANIFEST to use another file), written by scripts/manifest.sh;
#   restricted to the scenarios of
#   RESULTS_DIR/scenarios.only (scripts/scenarios.sh NAME...) and the
#   KUnit cases of RESULTS_DIR/kunit.filter (KUNIT_FILTER, a
#   kunit.filter_glob); with RESULTS_DIR/kunit.attr-filter
#   (KUNIT_ATTR_FILTER) a KUnit case that did not run counts as skipped;
# - checkpatch, kerneldoc, each: derived from the series: one result per
#   patch of patches/series, per C file or header the series adds or
#   modifies, per commit of build/linux base..HEAD, per sample the series
#   adds (built as a module), per build variant of configs/variants/.
#
# Counting:
# - passed: an expected result that passed;
# - failed: a result that failed; an expected result missing; a pass or
#   skip that nothing expects (a renamed check, a scenario not in the
#   manifest); a step that exited non-zero without any of these;
# - skipped: an expected result reported as skipped (a KUnit case that
#   skipped itself), and every expected result of a step that did not run
#   because a step it needs failed (that failure is counted);
# - the build steps (deps, tree, initramfs, selftests, kernel, vmm) are no
#   tests: their passing adds nothing, their failing counts as one
#   failure each.
. "$(dirname "$0")/lib.sh"

dir=${1:-$RESULTS}
[ $# -eq 0 ] || shift
[ -d "$dir" ] || die "no results directory $dir"
manifest=${MANIFEST:-$TOP/tests/manifest}
[ -f "$manifest" ] || die "no manifest $manifest: run scripts/manifest.sh"

if [ $# -gt 0 ]; then
	steps=("$@")
elif [ -f "$dir/steps.tsv" ]; then
	mapfile -t steps < <(cut -f1 "$dir/steps.tsv")
else
	mapfile -t steps < <(find "$dir" -maxdepth 1 -name '*.tsv' ! -name steps.tsv -printf '%f\n' |
		sed 's/\.tsv$//' | LC_ALL=C sort)
fi

# The expectations derived from the series, as "step<TAB>group<TAB>name".
derived() {
	local s p f c d v
	for s in "${steps[@]}"; do
		case "$s" in
		checkpatch)
			series_patches | while read -r p; do
				printf 'checkpatch\t-\tcheckpatch: %s\n' "$p"
			done ;;
		kerneldoc)
			need_tree
			git -C "$TREE" diff --name-only --diff-filter=AM base..HEAD -- '*.c' '*.h' |
				while read -r f; do
					if [ -f "$TREE/$f" ]; then
						printf 'kerneldoc\t-\tkernel-doc: %s\n' "$f"
					fi
				done ;;
		each)
			need_tree
			for c in $(git -C "$TREE" rev-list --reverse base..HEAD); do
				printf 'each\t-\teach: %s\n' "$(git -C "$TREE" log -1 --format=%s "$c")"
			done
			for d in $(git -C "$TREE" diff --name-only --diff-filter=A base..HEAD -- 'samples/*/Makefile' | xargs -r -n1 dirname); do
				printf 'each\t-\teach: %s builds as a module\n' "$d"
			done
			for v in "$TOP"/configs/variants/*.config; do
				if [ -f "$v" ]; then
					printf 'each\t-\teach: variant %s\n' "$(basename "$v" .config)"
				fi
			done ;;
		esac
	done
}

expect=$(mktemp)
trap 'rm -f "$expect"' EXIT
derived > "$expect"

python3 - "$dir" "$manifest" "$expect" "${steps[@]}" <<'PY'
import collections, fnmatch, os, sys

rdir, manifest, derived_file, steps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
BUILD_STEPS = {"deps", "tree", "initramfs", "selftests", "kernel", "vmm"}

def read_lines(path):
    try:
        with open(path, encoding="utf-8", errors="replace", newline="\n") as f:
            return [l.rstrip("\n").rstrip("\r") for l in f]
    except FileNotFoundError:
        return None

# Expectations: step -> list of (group, name)
expected = collections.defaultdict(list)
for path in (manifest, derived_file):
    for l in read_lines(path) or []:
        if not l.strip() or l.startswith("#"):
            continue
        parts = l.split("\t")
        if len(parts) != 3:
            sys.exit(f"{path}: not 'step<TAB>group<TAB>name': {l!r}")
        expected[parts[0]].append((parts[1], parts[2]))

status = {}
times = []
for l in read_lines(os.path.join(rdir, "steps.tsv")) or []:
    p = l.split("\t")
    status[p[0]] = (p[1] if len(p) > 1 else "ok", p[3] if len(p) > 3 else "")
    if len(p) > 2 and p[2].isdigit():
        times.append(f"{p[0]} {p[2]} s")

only = read_lines(os.path.join(rdir, "scenarios.only"))
nested_only = read_lines(os.path.join(rdir, "nested.only"))
kfilter = read_lines(os.path.join(rdir, "kunit.filter"))
kattr = read_lines(os.path.join(rdir, "kunit.attr-filter"))

def kunit_selected(group, name):
    # kunit.filter_glob: "suite_glob" or "suite_glob.test_glob"; the
    # entries that are not test cases (group "-") always count.
    if not kfilter or group == "-":
        return True
    glob = kfilter[0]
    sglob, _, tglob = glob.partition(".")
    if not fnmatch.fnmatchcase(group, sglob):
        return False
    if not tglob:
        return True
    case = name[len("kunit: "):].split(".")
    return len(case) > 1 and fnmatch.fnmatchcase(case[1], tglob)

def selected(step, group, name):
    if step == "scenarios" and only is not None:
        return group in only
    if step == "nested" and nested_only is not None:
        return group in nested_only
    if step == "kunit":
        return kunit_selected(group, name)
    return True

npass = nfail = nskip = 0
failures, skips, summary = [], [], []

for step in steps:
    st, why = status.get(step, ("ok", ""))
    results = []
    for l in read_lines(os.path.join(rdir, step + ".tsv")) or []:
        if not l:
            continue
        p = l.split("\t")
        results.append((p[0], p[1] if len(p) > 1 else "", p[2] if len(p) > 2 else ""))

    if step in BUILD_STEPS:
        f0 = nfail
        for s, name, detail in results:
            if s == "fail":
                nfail += 1
                failures.append(f"{name}{': ' + detail if detail else ''}")
        if st == "failed" and nfail == f0:
            nfail += 1
            failures.append(f"{step}: build step failed{': ' + why if why else ''}")
        if st == "skipped":
            skips.append(f"{step} (build step): not run, {why}")
        continue

    want = [(g, n) for g, n in expected.get(step, []) if selected(step, g, n)]
    if st == "skipped":
        nskip += len(want)
        skips.append(f"{step}: {len(want)} expected results not run, {why}")
        summary.append(f"{step}: 0 passed, 0 failed, {len(want)} skipped")
        continue

    left = collections.Counter(n for _, n in want)
    p0, f0, s0 = npass, nfail, nskip
    for s, name, detail in results:
        if left[name] > 0:
            left[name] -= 1
            if s == "pass":
                npass += 1
            elif s == "skip":
                nskip += 1
                skips.append(f"{name}{': ' + detail if detail else ''}")
            else:
                nfail += 1
                failures.append(f"{name}{': ' + detail if detail else ''}")
        elif s == "fail":
            nfail += 1
            failures.append(f"{name}{': ' + detail if detail else ''}")
        else:
            nfail += 1
            failures.append(f"{name}: {s}, but not in {os.path.basename(manifest)} (scripts/manifest.sh)")
    for name, k in left.items():
        for _ in range(k):
            if step == "kunit" and kattr:
                nskip += 1
                skips.append(f"{name}: not run (kunit.filter={kattr[0]})")
            else:
                nfail += 1
                failures.append(f"{name}: missing: expected, but no result")
    if st == "failed" and nfail == f0:
        nfail += 1
        failures.append(f"{step}: exited with an error{': ' + why if why else ''}")
    summary.append(f"{step}: {npass - p0} passed, {nfail - f0} failed, {nskip - s0} skipped")

for l in summary:
    print(f"[results] {l}")
if failures:
    print("Failed:")
    for l in failures:
        print("  " + l)
if skips:
    print("Skipped:")
    for l in skips:
        print("  " + l)
# The times last, where a log's tail shows them (CI prints only the end)
if times:
    print("[results] step times: " + ", ".join(times))
total = read_lines(os.path.join(rdir, "total"))
if total and total[0].isdigit():
    t = int(total[0])
    print(f"[results] make check took {t // 60} min {t % 60} s")
print(f"{npass} passed, {nfail} failed, {nskip} skipped")
sys.exit(1 if nfail else 0)
PY
