#!/usr/bin/env bash
# make vmm: build the VMM of the end-to-end scenarios, Debian's QEMU
# source package pinned in vmm/QEMU with the patches of vmm/patches, for
# x86_64-softmmu only, with KVM and without TCG, tools, docs or any device
# but q35's and edu (vmm/devices.mak). Leaves build/vmm/qemu-system-x86_64.
# The source is fetched with a private apt configuration (deb-src entries
# for the system's archives), leaving the system's sources alone.
#   vmm.sh            fetch, extract, apply, build (incremental)
#   vmm.sh export     write base..HEAD of build/vmm/src back to vmm/patches
STEP=vmm
. "$(dirname "$0")/lib.sh"

pin=$TOP/vmm/QEMU
vdir=$BUILD/vmm
src=$vdir/src
obj=$vdir/obj
dl=$BUILD/dl/qemu
pkg=$(sed -n 's/^package=//p' "$pin")
version=$(sed -n 's/^version=//p' "$pin")
[ -n "$pkg" ] && [ -n "$version" ] || die "$pin lacks package or version"
upstream=${version#*:}

if [ "${1:-}" = export ]; then
	[ -d "$src/.git" ] || die "no $src: run make vmm first"
	rm -f "$TOP"/vmm/patches/*.patch
	mkdir -p "$TOP/vmm/patches"
	git -C "$src" format-patch -q --no-signature --zero-commit -N -o "$TOP/vmm/patches" base..HEAD
	log "exported $(ls "$TOP"/vmm/patches/*.patch | wc -l) patches to vmm/patches"
	exit 0
fi

# What the build needs besides the workbench's own dependencies
need=(dpkg-dev meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# With stale or empty package lists the install fails once: update, retry
	for try in 1 2; do
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
			"${missing[@]}" > "$LOGS/vmm-deps.log" 2>&1 && break
		[ "$try" = 2 ] &&
			{ tail -n 20 "$LOGS/vmm-deps.log" >&2; die "apt-get install failed (log: $LOGS/vmm-deps.log)"; }
		$sudo apt-get update -q > /dev/null 2>&1 || warn "apt-get update failed"
	done
fi

verify() {
	sed -n 's/^sha256=//p' "$pin" | (cd "$dl" && sha256sum --quiet -c -) > /dev/null 2>&1
}

mkdir -p "$dl"
if ! verify; then
	log "fetching the $pkg $version source package"
	apt=$vdir/apt
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources"
	# deb-src twins of the system's deb822 sources
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f"
		echo
	done > "$apt/sources/src.sources"
	o=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/sources"
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
	apt-get "${o[@]}" update -q > "$LOGS/vmm-fetch.log" 2>&1 ||
		die "apt-get update of the source lists failed (log: $LOGS/vmm-fetch.log)"
	(cd "$dl" && apt-get "${o[@]}" source --download-only -q "$pkg=$version") \
		>> "$LOGS/vmm-fetch.log" 2>&1 ||
		die "apt-get source $pkg=$version failed: is it still in the archive? (log: $LOGS/vmm-fetch.log)"
	verify || die "the $pkg $version source files do not match the sha256 in $pin"
fi

# Extract (Debian's patches applied) and apply ours as commits, once per
# change of the pin or the patches.
stamp=$(cat "$pin" "$TOP"/vmm/patches/*.patch "$TOP/vmm/devices.mak" 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$(cat "$vdir/stamp" 2>/dev/null)" != "$stamp" ]; then
	log "extracting $pkg $version and applying vmm/patches"
	rm -rf "$src" "$obj" "$vdir/stamp"
	dpkg-source -x "$dl/${pkg}_${upstream}.dsc" "$src" > "$LOGS/vmm-extract.log" 2>&1 ||
		die "dpkg-source -x failed (log: $LOGS/vmm-extract.log)"
	rm -rf "$src/.pc"
	pgit_src() { git -C "$src" -c user.name=workbench -c user.email=workbench@localhost "$@"; }
	pgit_src init -q
	pgit_src add -A -f .
	pgit_src commit -q -m "$pkg $version"
	pgit_src tag base
	for p in "$TOP"/vmm/patches/*.patch; do
		[ -f "$p" ] || continue
		pgit_src am -q --committer-date-is-author-date "$p" > "$LOGS/vmm-apply.log" 2>&1 ||
			die "$(basename "$p") does not apply (log: $LOGS/vmm-apply.log)"
	done
	cp "$TOP/vmm/devices.mak" "$src/configs/devices/x86_64-softmmu/ims.mak"
	echo "$stamp" > "$vdir/stamp"
fi

cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/ccache}
if [ ! -f "$obj/build.ninja" ]; then
	mkdir -p "$obj"
	log "configuring x86_64-softmmu (KVM only, q35 and edu)"
	(cd "$obj" && "$src/configure" --target-list=x86_64-softmmu --with-devices-x86_64=ims \
		--without-default-features --enable-kvm --disable-tcg --disable-docs \
		--disable-tools --disable-guest-agent --disable-user --disable-install-blobs \
		--cc="$cc" --host-cc="$cc") > "$LOGS/vmm-configure.log" 2>&1 ||
		{ rm -rf "$obj"; die "configure failed (log: $LOGS/vmm-configure.log)"; }
fi
log "building with $JOBS jobs; full log: $LOGS/vmm.log"
# No binary of an earlier build stands in for a failed one
rm -f "$vdir/qemu-system-x86_64"
ninja -C "$obj" -j "$JOBS" qemu-system-x86_64 > "$LOGS/vmm.log" 2>&1 ||
	{ grep -E 'error|Error' "$LOGS/vmm.log" | head -n 20 >&2; die "build failed (log: $LOGS/vmm.log)"; }
cp "$obj/qemu-system-x86_64" "$vdir/qemu-system-x86_64"
log "built $vdir/qemu-system-x86_64 ($(du -h "$vdir/qemu-system-x86_64" | cut -f1))"
