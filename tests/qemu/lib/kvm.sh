# Checks that run the series' KVM selftests inside the guest: the guest is
# the KVM host (QEMU's -cpu max offers AMD SVM under TCG; the test kernel
# has KVM_AMD built in) and the selftest is its VMM.

# kvm_selftest NAME N: /bin/NAME (scripts/selftests.sh) runs with /dev/kvm
# and reports exactly N test points, all "ok": no failure, no skip, no
# early exit. Its TAP output is shown indented, as a KTAP subtest.
kvm_selftest() {
	t=/bin/$1
	[ -x "$t" ] || { echo "no $t in the initramfs: scripts/selftests.sh builds it"; return 1; }
	[ -c /dev/kvm ] || { echo "no /dev/kvm: KVM did not come up in this guest"; dmesg | grep -iE 'kvm|svm'; return 1; }
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\).*/\1/p' | head -n 1)
	ok=$(printf '%s\n' "$out" | grep -E '^ok [0-9]+ ' | grep -vc '# SKIP')
	notok=$(printf '%s\n' "$out" | grep -cE '^not ok [0-9]+ ')
	skip=$(printf '%s\n' "$out" | grep -E '^ok [0-9]+ ' | grep -c '# SKIP')
	[ "$rc" -eq 0 ] || { echo "$1 exited with $rc"; return 1; }
	[ "$plan" = "$2" ] || { echo "$1 planned ${plan:-no} test points, want $2"; return 1; }
	[ "$notok" -eq 0 ] && [ "$skip" -eq 0 ] && [ "$ok" -eq "$2" ] ||
		{ echo "$1: $ok passed, $notok failed, $skip skipped; want $2 passed"; return 1; }
	echo "$1: $ok of $2 passed"
}
