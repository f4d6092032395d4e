# Guest checks of the nested scenarios, run in L2 on the VMM of make vmm
# (or Debian's) with KVM; their host-side partners are in
# scripts/host-checks.sh.

# ims_affinity_kept DEV I CPU: route vector I, which is on another CPU,
# to CPU and trigger it: it arrives once, there, and the device ran
# exactly one DMA (the trigger's;
# its own MSI counts every DMA): the vector's message in storage was not
# rewritten, as the hypervisor moved the interrupt behind the same handle.
ims_affinity_kept() {
	irq=$(ims_field "$1" "$2" 2)
	[ -n "$irq" ] || { echo "no IMS vector $2"; return 1; }
	eff=$(cat "/proc/irq/$irq/effective_affinity_list")
	[ "$eff" != "$3" ] || { echo "irq $irq is on CPU $3 already: no move to test"; return 1; }
	msi=$(edu_msi_count "$1") || { echo "no MSI line of $1 in /proc/interrupts"; return 1; }
	ims_affinity "$1" "$2" "$3" || return 1
	now=$(edu_msi_count "$1")
	[ "$now" -eq $((msi + 1)) ] ||
		{ echo "the device ran $((now - msi)) DMAs, want 1 (the trigger): the message was rewritten"; return 1; }
	echo "the device ran one DMA, the trigger: no storage write"
}

# ims_counts_same BEFORE AFTER: two reads of the sample's vectors file
# show the same deliveries; otherwise say which vector changed.
ims_counts_same() {
	[ "$1" != "$2" ] || return 0
	printf '%s\n--\n%s\n' "$1" "$2" | awk '
		$0 == "--" { a = 1; next }
		!a { n[$1] = $3; next }
		$3 != n[$1] { print "vector " $1 " (irq " $2 "): " $3 " deliveries, want " n[$1] }'
	return 1
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
	ims_counts_same "$before" "$after" || return 1
	[ -z "$(cat "$d/pending")" ] || { echo "pending: $(cat "$d/pending" | tr '\n' ' ')"; return 1; }
	echo "$n vectors sent (the device's MSI went from $msi to $now), none delivered"
}

# ims_replay DEV SLOT: with vectors live in other slots, the device sends
# again the message SLOT held before its vector was freed (the sample's
# "replay", which needs edu_ims.allow_replay=1): the DMA completes, no
# live vector counts a delivery and the kernel reports no stray vector.
# (A stray write to a vector nobody owns any more is dropped silently
# the first time, so the live vectors are the guest's witnesses: the
# host check vmm_stale_target_live shows that one of them owns the stale
# message's vector and CPU.)
ims_replay() {
	d=$(edu_dir "$1")
	[ -e "$d/replay" ] || { echo "no $d/replay: boot with edu_ims.allow_replay=1"; return 1; }
	before=$(cat "$d/vectors")
	n=$(echo "$before" | grep -c .)
	[ "$n" -gt 0 ] || { echo "no live vectors to witness the replay"; return 1; }
	msi=$(edu_msi_count "$1") || { echo "no MSI line of $1 in /proc/interrupts"; return 1; }
	echo "$2" > "$d/replay" || { echo "replaying slot $2 failed"; return 1; }
	sleep 1
	now=$(edu_msi_count "$1")
	[ "$now" -gt "$msi" ] || { echo "the device's MSI did not count the replay's DMAs"; return 1; }
	after=$(cat "$d/vectors")
	ims_counts_same "$before" "$after" || return 1
	dmesg_lacks 'No irq handler for vector' || return 1
	echo "slot $2 replayed (the device's MSI went from $msi to $now); none of $n live vectors counted it"
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

# drain_console: wait until the serial console has sent what was written
# to it (its transmit count stops moving for 50 ms, at most 2 s), so that
# a test point's result is out before the next check makes the VMM print
# (scripts/host-checks.sh windows the VMM's lines by the results).
drain_console() {
	prev=
	i=0
	while [ "$i" -lt 40 ]; do
		tx=$(sed -n 's/^0: .* tx:\([0-9]*\) .*/\1/p' /proc/tty/driver/serial 2>/dev/null)
		[ -n "$tx" ] || return 0
		[ "$tx" != "$prev" ] || return 0
		prev=$tx
		sleep 0.05
		i=$((i + 1))
	done
}
