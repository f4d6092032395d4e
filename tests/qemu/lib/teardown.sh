# Check helpers for the lifetime of an IMS domain and the teardown of its
# interrupts (tests/qemu/ims-teardown), on the edu sample's debugfs files
# "domain", "msi" and "forget". They use checks.sh.

# The device's log lines that say how its IMS domain's devres node went:
# ADD at creation, REM at pci_remove_ims_domain(), REL at unbind.
devres_ims_count() {
	dmesg | grep -c "$1: DEVRES $2 .* pci_ims_devres_release"
}

devres_log() {
	echo "$1" > /sys/module/devres/parameters/log ||
		{ echo "cannot set devres.log (CONFIG_DEBUG_DEVRES?)"; return 1; }
}

# orphan_irqs DEV: allocated interrupts which the IMS core leaked for DEV,
# because they were still requested when its IMS domain went away.
orphan_irqs() {
	ims_irqs "$1" orphan-
}

orphan_proc_lines() {
	grep -cE "[[:space:]]orphan-(IR-|HV-)?PCI-IMS-$1[[:space:]]" /proc/interrupts
}

msi_proc_lines() {
	grep -cE "[[:space:]](IR-)?PCI-MSI-$1[[:space:]]" /proc/interrupts
}

# ims_msi_cycle DEV: free the device's own MSI with pci_free_irq_vectors()
# while IMS vectors are requested, and allocate it again. The IMS domain
# and every vector stay, and each still delivers exactly once.
ims_msi_cycle() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	n=$(ims_proc_lines "$1")
	[ "$n" -gt 0 ] || { echo "no IMS vectors requested on $1"; return 1; }
	[ "$(msi_proc_lines "$1")" -eq 1 ] || { echo "the device's MSI is not requested"; return 1; }
	echo 0 > "$d/msi" || { echo "freeing the MSI failed"; return 1; }
	m=$(msi_proc_lines "$1")
	[ "$m" -eq 0 ] || { echo "$m PCI-MSI lines left after pci_free_irq_vectors()"; return 1; }
	got=$(ims_proc_lines "$1")
	[ "$got" -eq "$n" ] || { echo "$got IMS lines after pci_free_irq_vectors(), want $n"; return 1; }
	[ "$(cat "$d/domain")" = 1 ] || { echo "the IMS domain is gone"; return 1; }
	ims_trigger_each "$1" 1 || return 1
	echo 1 > "$d/msi" || { echo "allocating the MSI again failed"; return 1; }
	m=$(msi_proc_lines "$1")
	[ "$m" -eq 1 ] || { echo "$m PCI-MSI lines after allocating again, want 1"; return 1; }
	got=$(ims_proc_lines "$1")
	[ "$got" -eq "$n" ] || { echo "$got IMS lines after allocating MSI again, want $n"; return 1; }
	echo "MSI freed and allocated again; $n IMS vectors stayed and delivered"
}

# ims_lifetime DEV CYCLES: remove and create the IMS domain CYCLES times
# (no vectors). Each creation adds one devres node and each removal
# takes it off again: nothing piles up.
ims_lifetime() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	echo 0 > "$d/vectors" || { echo "freeing the vectors failed"; return 1; }
	add0=$(devres_ims_count "$1" ADD)
	rem0=$(devres_ims_count "$1" REM)
	devres_log 1 || return 1
	i=0
	while [ "$i" -lt "$2" ]; do
		echo 0 > "$d/domain" || { devres_log 0; echo "removal $i failed"; return 1; }
		[ "$(cat "$d/domain")" = 0 ] || { devres_log 0; echo "domain still there after removal $i"; return 1; }
		echo 1 > "$d/domain" || { devres_log 0; echo "creation $i failed"; return 1; }
		i=$((i + 1))
	done
	devres_log 0
	add=$(($(devres_ims_count "$1" ADD) - add0))
	rem=$(($(devres_ims_count "$1" REM) - rem0))
	[ "$add" -eq "$2" ] && [ "$rem" -eq "$2" ] ||
		{ echo "$2 cycles: $add devres nodes added, $rem removed, want $2 each"; return 1; }
	echo "$2 remove/create cycles: $add devres nodes added, $rem removed"
}

# ims_remove_requested DEV N: remove the IMS domain while N vectors are
# requested. The core frees none of them: it says so once, leaks them
# disabled as "orphan-" interrupts, and the device has no IMS domain.
# The sample then calls free_irq(), which works on the orphans.
ims_remove_requested() {
	d=$(edu_dir "$1")
	ims_vectors "$1" "$2" || return 1
	msg="$1: IMS: $2 interrupts still requested at teardown"
	before=$(dmesg | grep -c "$msg")
	echo 0 > "$d/domain" || { echo "removing the domain failed"; return 1; }
	said=$(($(dmesg | grep -c "$msg") - before))
	[ "$said" -eq 1 ] || { echo "the kernel said '$msg' $said times, want once"; return 1; }
	[ "$(cat "$d/domain")" = 0 ] || { echo "the IMS domain is still there"; return 1; }
	left=$(ims_proc_lines "$1")
	[ "$left" -eq 0 ] || { echo "$left IMS lines left"; return 1; }
	o=$(orphan_irqs "$1" | grep -c .)
	[ "$o" -eq "$2" ] || { echo "$o orphan interrupts allocated, want $2"; return 1; }
	p=$(orphan_proc_lines "$1")
	[ "$p" -eq 0 ] || { echo "$p orphans still requested after free_irq()"; return 1; }
	echo 1 > "$d/domain" || { echo "creating the domain again failed"; return 1; }
	echo "$2 requested vectors leaked as orphans at removal, not freed; domain created again"
}

# ims_unbind_forget DEV N [devm]: the driver forgets its N IMS vectors:
# unbind with them allocated and requested, through request_irq() or
# devm_request_irq(). devm-requested ones are freed by the end of the
# binding before the IMS teardown: nothing is left. The others are
# leaked, disabled, as N "orphan-" lines in /proc/interrupts, which the
# kernel says once. Either way the domain's devres node is released once.
ims_unbind_forget() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	echo "$2${3:+ $3}" > "$d/vectors" || { echo "allocating '$2 $3' failed"; return 1; }
	got=$(ims_proc_lines "$1")
	[ "$got" -eq "$2" ] || { echo "$got IMS lines, want $2"; return 1; }
	echo 1 > "$d/forget" || { echo "cannot set forget"; return 1; }
	msg="$1: IMS: $2 interrupts still requested at teardown"
	before=$(dmesg | grep -c "$msg")
	rel0=$(devres_ims_count "$1" REL)
	devres_log 1 || return 1
	echo "$1" > /sys/bus/pci/drivers/edu-ims/unbind || { devres_log 0; echo "unbind failed"; return 1; }
	devres_log 0
	rel=$(($(devres_ims_count "$1" REL) - rel0))
	[ "$rel" -eq 1 ] || { echo "the IMS devres node was released $rel times, want once"; return 1; }
	said=$(($(dmesg | grep -c "$msg") - before))
	left=$(ims_proc_lines "$1")
	[ "$left" -eq 0 ] || { echo "$left lines on the IMS chip left"; return 1; }
	if [ "$3" = devm ]; then
		[ "$said" -eq 0 ] || { echo "the kernel said '$msg' for devm_request_irq() vectors"; return 1; }
		ims_gone "$1" || return 1
		o=$(orphan_irqs "$1" | grep -c .)
		[ "$o" -eq 0 ] || { echo "$o orphans for devm_request_irq() vectors"; return 1; }
		echo "unbound with $2 devm-requested vectors: all freed, none leaked"
	else
		[ "$said" -eq 1 ] || { echo "the kernel said '$msg' $said times, want once"; return 1; }
		p=$(orphan_proc_lines "$1")
		[ "$p" -eq "$2" ] || { echo "$p orphan lines in /proc/interrupts, want $2"; return 1; }
		echo "unbound with $2 forgotten vectors: leaked as $p disabled orphans, not freed"
	fi
}

# ims_vectors_at DEV N FIRST: N vectors in the storage slots FIRST to
# FIRST + N - 1 (pci_ims_alloc_irq_at()), each requested, in exactly those
# slots. A range that ends beyond the 1023 slots is refused as a whole.
ims_vectors_at() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	if echo "2 at 1022" > "$d/vectors" 2>/dev/null; then
		echo "slots 1022 and 1023 of 0 to 1022 were accepted"; return 1
	fi
	n=$(grep -c . "$d/vectors")
	[ "$n" -eq 0 ] || { echo "$n vectors left after the refused range"; return 1; }
	echo "$2 at $3" > "$d/vectors" || { echo "allocating $2 at $3 failed"; return 1; }
	want=$(seq "$3" $(($3 + $2 - 1)) | tr '\n' ' ')
	got=$(awk '{ printf "%s ", $1 }' "$d/vectors")
	[ "$got" = "$want" ] || { echo "slots '$got', want '$want'"; return 1; }
	lines=$(ims_proc_lines "$1")
	[ "$lines" -eq "$2" ] || { echo "/proc/interrupts has $lines IMS lines, want $2"; return 1; }
	echo "$2 vectors in slots $3 to $(($3 + $2 - 1))"
}
