#!/usr/bin/env bash
# Install what the workbench needs from Debian's archive, when missing.
STEP=deps
. "$(dirname "$0")/lib.sh"

pkgs=(
	build-essential bc bison flex libelf-dev libssl-dev
	cpio kmod xz-utils python3 python3-ply perl git
	ccache sparse gcc-aarch64-linux-gnu
	qemu-system-x86 busybox-static
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	log "all ${#pkgs[@]} packages present"
	exit 0
fi

log "installing: ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null || warn "apt-get update failed, trying the cached package lists"
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >"$LOGS/deps.log" 2>&1 ||
	{ tail -n 20 "$LOGS/deps.log" >&2; die "apt-get install failed (log: $LOGS/deps.log)"; }
log "installed ${#missing[@]} packages"
