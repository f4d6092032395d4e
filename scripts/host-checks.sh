# shellcheck shell=bash
# The host-side checks of the nested scenarios ("host:" lines of a
# tests/qemu file), run by scripts/run-scenario.sh after the boot on
# $CONSOLE, the console log in which L1's console carries L2's console
# and the VMM's stderr in the order they happened. Sourced, never run.
#
# The VMM (vmm/patches, the PCI/IMS broker) prints one line per event:
#   pci-ims: BB:DD.F KIND [details] translated=T faults=F live=L
# KIND is compose (a new handle), retarget (an existing handle), release,
# release-all, reset (a device reset), translated (a write of a live
# handle delivered to the guest) or fault (a write dropped); a refused
# call has "error=" in its details and counts as KIND-error. T and F count
# the device's writes so far, L its live handles after the event.
#
# A check names a window of the log by the L2 check during which the
# events happened, as its "check:" line reads: the events after the
# previous test point's result, up to this one's; "LINE#K" names the
# K-th test point of that line. "boot" is the window before the first
# check, "all" the whole log.

# vmm_lines WINDOW [before]: the VMM's lines in WINDOW, or with "before"
# those that precede it; fails when the log has no such test point, or
# when the VMM's lines are not intact (vmm_log_intact).
vmm_lines() {
	local c=$1 k=1
	vmm_log_intact > /dev/null || return 3
	case "$c" in
	*'#'[0-9]*) k=${c##*#} c=${c%#*} ;;
	esac
	# The window's name through the environment: awk -v would expand
	# backslashes in it
	WINDOW=$c awk -v k="$k" -v before="${2:-}" '
		BEGIN { RS = "[\r\n]+"; c = ENVIRON["WINDOW"] }
		/^(not )?ok [0-9]+ / {
			t = $0
			sub(/^(not )?ok [0-9]+ /, "", t)
			if (c == "boot" || (t == c && ++seen == k)) { found = 1; exit }
			if (c != "all") {
				for (i = 1; i <= n; i++) old[++m] = buf[i]
				n = 0
			}
			next
		}
		/^pci-ims: / { buf[++n] = $0 }
		END {
			if (c == "all") found = 1
			if (!found) exit 2
			if (before != "") {
				for (i = 1; i <= m; i++) print old[i]
			} else {
				for (i = 1; i <= n; i++) print buf[i]
			}
		}' "$CONSOLE"
}

# vmm_log_intact: every "pci-ims: " of the console starts a line (none was
# broken up by other output), and the VMM's running counts of translated
# writes and faults grow by one with each such line and stay otherwise:
# no line of the VMM is lost from the log.
vmm_log_intact() {
	awk '
		BEGIN { RS = "[\r\n]+" }
		/pci-ims: / && !/^pci-ims: / { printf "a VMM line broken up: %s\n", $0; bad = 1; next }
		/^pci-ims: / && / translated=[0-9]+ faults=[0-9]+ live=[0-9]+$/ {
			t = $0; sub(/.* translated=/, "", t); sub(/ .*/, "", t)
			f = $0; sub(/.* faults=/, "", f); sub(/ .*/, "", f)
			wt = tr + ($3 == "translated"); wf = fa + ($3 == "fault")
			if (t + 0 != wt || f + 0 != wf) {
				printf "counts jump to translated=%d faults=%d, want %d %d: %s\n", t, f, wt, wf, $0
				bad = 1
			}
			tr = t + 0; fa = f + 0
			next
		}
		/^pci-ims: / && !/ too many devices/ { printf "a VMM line without counts: %s\n", $0; bad = 1 }
		END { exit bad }' "$CONSOLE"
}

# The kind of each line: KIND, or KIND-error for a refused call.
vmm_kinds() {
	awk '{ k = $3; if ($0 ~ / error=/) k = k "-error"; print k }'
}

vmm_window_or_fail() {
	local rc=0
	w=$(vmm_lines "$@") || rc=$?
	case $rc in
	0) ;;
	3) vmm_log_intact; return 1 ;;
	*) echo "no test point '$1' in $CONSOLE"; return 1 ;;
	esac
}

# A count of the checks must be a number
vmm_number() {
	case "$1" in
	'' | *[!0-9]*) echo "not a count: '$1'"; return 1 ;;
	esac
}

# vmm_count WINDOW KIND N: exactly N events of KIND in WINDOW ("any" for
# every kind, "any-error" for every refused call).
vmm_count() {
	local w got
	case "$2" in
	compose | retarget | release | release-all | reset | translated | fault | any) ;;
	compose-error | retarget-error | release-error | any-error) ;;
	*) echo "vmm_count: no kind '$2'"; return 1 ;;
	esac
	vmm_number "$3" || return 1
	vmm_window_or_fail "$1" || return 1
	got=$(printf '%s\n' "$w" | sed '/^$/d' | vmm_kinds | awk -v k="$2" 'k == "any" || $0 == k || (k == "any-error" && /-error$/)' | grep -c .) || true
	if [ "$got" -ne "$3" ]; then
		echo "$got $2 events of the VMM during '$1', want $3; the window has:"
		printf '%s\n' "$w" | vmm_kinds | sort | uniq -c
		printf '%s\n' "$w" | head -n 5
		return 1
	fi
	echo "$got $2 events of the VMM during '$1'"
}

# vmm_live WINDOW N: at the end of WINDOW the VMM held exactly N live
# handles of the device (the live count of its last event there).
vmm_live() {
	local w last
	vmm_number "$2" || return 1
	vmm_window_or_fail "$1" || return 1
	last=$(printf '%s\n' "$w" | sed -n '$s/.* live=\([0-9]*\)$/\1/p')
	[ -n "$last" ] || { echo "no VMM event during '$1'"; return 1; }
	if [ "$last" -ne "$2" ]; then
		echo "the VMM held $last live handles after '$1', want $2: $(printf '%s\n' "$w" | tail -n 1)"
		return 1
	fi
	echo "the VMM held $last live handles after '$1'"
}

# vmm_handles WINDOW N: the compose events of WINDOW gave exactly N
# distinct handles, and the VMM held N live handles after them.
vmm_handles() {
	local w got
	vmm_number "$2" || return 1
	vmm_window_or_fail "$1" || return 1
	got=$(printf '%s\n' "$w" | awk '$3 == "compose" && !/ error=/ { sub(/.* handle=/, ""); sub(/ .*/, ""); print }' |
		sort -u | grep -c .) || true
	[ "$got" -eq "$2" ] || { echo "$got distinct handles composed during '$1', want $2"; return 1; }
	vmm_live "$1" "$2" > /dev/null || { vmm_live "$1" "$2"; return 1; }
	echo "$got distinct handles composed during '$1', all live"
}

# The handle the VMM last composed (new) for IMS index INDEX before WINDOW.
vmm_handle_of() {
	vmm_lines "$1" before | awk -v i="index=$2" '$3 == "compose" && $4 == i && !/ error=/ {
		h = $5; sub(/^handle=/, "", h) } END { if (h == "") exit 1; print h }'
}

# Where handle H pointed last before WINDOW: "dest=D vector=V", from its
# last compose or retarget.
vmm_target_of() {
	vmm_lines "$1" before | awk -v h="handle=$2" '
		($3 == "compose" || $3 == "retarget") && $5 == h && !/ error=/ { t = $6 " " $7 }
		END { if (t == "") exit 1; print t }'
}

# vmm_retarget WINDOW INDEX DEST: during WINDOW the VMM retargeted the
# handle it had composed for IMS index INDEX before, from another
# destination to APIC ID DEST, composed no new handle, and translated
# exactly one write, of that handle, to DEST.
vmm_retarget() {
	local w h old
	vmm_window_or_fail "$1" || return 1
	h=$(vmm_handle_of "$1" "$2") || { echo "the VMM composed no handle for index $2 before '$1'"; return 1; }
	old=$(vmm_target_of "$1" "$h") || { echo "no target of handle $h before '$1'"; return 1; }
	[ "${old%% *}" != "dest=$3" ] || { echo "handle $h pointed to $old already: no move"; return 1; }
	printf '%s\n' "$w" | awk -v i="index=$2" -v h="handle=$h" -v d="dest=$3" -v old="$old" '
		$3 == "compose" { printf "a new handle during the retarget: %s\n", $0; bad = 1 }
		$3 == "retarget" { r++; if ($4 != i || $5 != h || $6 != d || / error=/) { printf "unexpected: %s\n", $0; bad = 1 } }
		$3 == "translated" { t++; if ($4 != h || $5 != d) { printf "unexpected: %s\n", $0; bad = 1 } }
		$3 == "fault" { printf "unexpected: %s\n", $0; bad = 1 }
		END {
			if (r != 1) { printf "%d retargets of %s, want 1\n", r, h; bad = 1 }
			if (t != 1) { printf "%d translated writes of %s, want 1\n", t, h; bad = 1 }
			if (!bad) printf "%s of index %s kept, retargeted from %s to %s, one write translated there\n", h, substr(i, 7), old, d
			exit bad
		}'
}

# vmm_stale WINDOW INDEX: during WINDOW the VMM dropped exactly one write,
# as a fault of a handle no longer live, the handle it had composed for
# IMS index INDEX before, and translated nothing.
vmm_stale() {
	local w h
	vmm_window_or_fail "$1" || return 1
	h=$(vmm_handle_of "$1" "$2") || { echo "the VMM composed no handle for index $2 before '$1'"; return 1; }
	printf '%s\n' "$w" | awk -v h="$(printf 'data=0x%x' "$h")" -v hd="$h" '
		$3 == "fault" { f++; if ($5 != h || $0 !~ /\(handle not live\)/) { printf "unexpected: %s\n", $0; bad = 1 } }
		$3 == "translated" { printf "translated: %s\n", $0; bad = 1 }
		END {
			if (f != 1) { printf "%d faults, want 1\n", f; bad = 1 }
			if (!bad) printf "the stale handle %s was dropped as a fault\n", hd
			exit bad
		}'
}

# vmm_stale_target_live WINDOW INDEX: when WINDOW began, the guest vector
# and CPU of the handle the VMM had composed for IMS index INDEX (released
# since) belonged to another handle, live: a stale write delivered by
# mistake would have reached a live vector's handler, which the guest
# counts (ims_replay).
vmm_stale_target_live() {
	local h target
	vmm_window_or_fail "$1" || return 1
	h=$(vmm_handle_of "$1" "$2") || { echo "the VMM composed no handle for index $2 before '$1'"; return 1; }
	target=$(vmm_target_of "$1" "$h") || { echo "no target of handle $h before '$1'"; return 1; }
	vmm_lines "$1" before | awk -v t="$target" -v stale="handle=$h" '
		function hd(s) { sub(/^handle=/, "", s); return s }
		$3 == "compose" || $3 == "retarget" { if ($0 !~ / error=/) at[$5] = $6 " " $7 }
		$3 == "release" && $0 !~ / error=/ { delete at[$4] }
		$3 == "release-all" || $3 == "reset" { for (x in at) delete at[x] }
		END {
			for (x in at)
				if (at[x] == t && x != stale) { printf "%s of the stale handle %s is live handle %s'"'"'s\n", t, hd(stale), hd(x); exit 0 }
			printf "no live handle points to %s, the stale handle'"'"'s\n", t
			exit 1
		}'
}

# vmm_is_stock: the scenario's VMM is Debian's own, as its package
# installed it (dpkg --verify), and the log has no line of a broker.
vmm_is_stock() {
	local bin pkg
	bin=$(command -v qemu-system-x86_64) || { echo "no qemu-system-x86_64"; return 1; }
	pkg=$(dpkg -S "$(readlink -f "$bin")" 2>/dev/null | cut -d: -f1) ||
		{ echo "$bin belongs to no Debian package"; return 1; }
	if dpkg --verify "$pkg" 2>&1 | grep -F "$(readlink -f "$bin")"; then
		echo "$bin differs from what $pkg installed"
		return 1
	fi
	if grep -aq 'pci-ims: ' "$CONSOLE"; then
		echo "the log has lines of a PCI/IMS broker:"
		grep -a 'pci-ims: ' "$CONSOLE" | head -n 3
		return 1
	fi
	echo "$bin is $pkg $(dpkg-query -W -f '${Version}' "$pkg") as installed; no broker line in the log"
}
