# Guest checks of the nested scenarios, run in L2 on the VMM of make vmm
# (or Debian's) with KVM; their host-side partners are in
# scripts/host-checks.sh.

# ims_affinity_kept DEV I CPU: route vector I to CPU and trigger it: it
# arrives once, there, and the device ran exactly one DMA (the trigger's;
# its own MSI counts every DMA): the vector's message in storage was not
# rewritten, as the hypervisor moved the interrupt behind the same handle.
ims_affinity_kept() {
	msi=$(edu_msi_count "$1") || { echo "no MSI line of $1 in /proc/interrupts"; return 1; }
	ims_affinity "$1" "$2" "$3" || return 1
	now=$(edu_msi_count "$1")
	[ "$now" -eq $((msi + 1)) ] ||
		{ echo "the device ran $((now - msi)) DMAs, want 1 (the trigger): the message was rewritten"; return 1; }
	echo "the device ran one DMA, the trigger: no storage write"
}

# ims_trigger_none DEV: trigger every vector once: each trigger's DMA
# completes (the device's MSI counts one per vector), yet no vector counts
# a delivery and none is left pending.
ims_trigger_none() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	before=$(cat "$d/vectors")
	n=$(echo "$before" | grep -c .)
	[ "$n" -gt 0 ] || { echo "no IMS vectors on $1 to trigger"; return 1; }
	msi=$(edu_msi_count "$1") || { echo "no MSI line of $1 in /proc/interrupts"; return 1; }
	i=0
	while [ "$i" -lt "$n" ]; do
		echo "$i" > "$d/trigger" || { echo "trigger $i failed: the DMA did not complete"; return 1; }
		i=$((i + 1))
	done
	sleep 1
	now=$(edu_msi_count "$1")
	[ "$now" -eq $((msi + n)) ] ||
		{ echo "the device's MSI: $((now - msi)) DMAs completed, want $n"; return 1; }
	after=$(cat "$d/vectors")
	if [ "$after" != "$before" ]; then
		printf '%s\n--\n%s\n' "$before" "$after" | awk '
			$0 == "--" { a = 1; next }
			!a { n[$1] = $3; next }
			$3 != n[$1] { print "vector " $1 " (irq " $2 "): " $3 " deliveries, want " n[$1] }'
		return 1
	fi
	[ -z "$(cat "$d/pending")" ] || { echo "pending: $(cat "$d/pending" | tr '\n' ' ')"; return 1; }
	echo "$n vectors sent (the device's MSI went from $msi to $now), none delivered"
}

# ims_replay DEV SLOT: the device sends again the message SLOT held before
# its vector was freed (the sample's "replay"): the DMA completes, and no
# APIC error is counted. Whether the write reached a CPU the guest cannot
# tell (x86 drops the first stray interrupt on a vector it is shutting
# down silently): the VMM's record is the proof (vmm_stale).
ims_replay() {
	d=$(edu_dir "$1")
	[ -d "$d" ] || { echo "no edu IMS debugfs directory $d"; return 1; }
	total() { awk '/^ *[0-9]+:/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' /proc/interrupts; }
	msi=$(edu_msi_count "$1") || { echo "no MSI line of $1 in /proc/interrupts"; return 1; }
	echo "$2" > "$d/replay" || { echo "replaying slot $2 failed"; return 1; }
	sleep 1
	now=$(edu_msi_count "$1")
	[ "$now" -gt "$msi" ] || { echo "the device's MSI did not count the replay's DMAs"; return 1; }
	if ! err=$(awk '$1 == "ERR:" { print $2 }' /proc/interrupts) || [ "${err:-0}" -ne 0 ]; then
		echo "spurious or erroneous interrupts: ERR $err"
		return 1
	fi
	echo "slot $2 replayed (the device's MSI went from $msi to $now); no error interrupt"
}

# edu_msi_raise DEV: the device's own MSI works: edu raises it when its
# interrupt raise register (BAR 0 + 0x60) is written; exactly one more
# arrives.
edu_msi_raise() {
	bar=$(awk 'NR == 1 { print $1 }' "/sys/bus/pci/devices/$1/resource")
	[ -n "$bar" ] && [ $((bar)) -ne 0 ] || { echo "no BAR 0 on $1"; return 1; }
	msi=$(edu_msi_count "$1") || { echo "no MSI line of $1 in /proc/interrupts"; return 1; }
	devmem $((bar + 0x60)) 32 1 || { echo "writing edu's raise register failed"; return 1; }
	sleep 1
	now=$(edu_msi_count "$1")
	[ "$now" -eq $((msi + 1)) ] || { echo "the device's MSI: $msi then $now, want one more"; return 1; }
	echo "the device's MSI arrived (from $msi to $now)"
}

# edu_bind DEV: bind the edu sample to DEV again; its debugfs directory
# is back and no IMS vector is allocated yet.
edu_bind() {
	echo "$1" > /sys/bus/pci/drivers/edu-ims/bind || { echo "binding $1 to edu-ims failed"; return 1; }
	drv=$(readlink "/sys/bus/pci/devices/$1/driver")
	[ "${drv##*/}" = edu-ims ] || { echo "$1 is bound to '${drv##*/}', want edu-ims"; return 1; }
	[ -d "$(edu_dir "$1")" ] || { echo "no debugfs directory $(edu_dir "$1") after bind"; return 1; }
	ims_gone "$1" || return 1
	echo "$1 bound to edu-ims again"
}
