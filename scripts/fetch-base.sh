#!/usr/bin/env bash
# Fetch the pinned linux-source-6.12 package and verify its tarball.
# Leaves build/dl/linux-source.tar.xz and build/dl/version (the package
# version the tarball came from).
STEP=fetch
. "$(dirname "$0")/lib.sh"

pkg=$(base_get package)
pinned=$(base_get version)
sum=$(base_get sha256)
[ -n "$pkg" ] && [ -n "$pinned" ] && [ -n "$sum" ] || die "BASE lacks package, version or sha256"

dl=$BUILD/dl
tarball=$dl/linux-source.tar.xz
mkdir -p "$dl"

verify() {
	local version=$1
	if [ "$version" = "$pinned" ]; then
		echo "$sum  $tarball" | sha256sum --quiet -c - 2>/dev/null ||
			die "$tarball does not match the sha256 in BASE (corrupt download?); delete $dl and retry"
	else
		xz -t "$tarball" 2>/dev/null || die "$tarball is corrupt; delete $dl and retry"
	fi
}

offered_versions() {
	apt-cache madison "$pkg" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}'
}
offered=$(offered_versions)
if [ -z "$offered" ] && [ "$(id -u)" -eq 0 ]; then
	apt-get update -q >/dev/null 2>&1 || true
	offered=$(offered_versions)
fi
[ -n "$offered" ] || die "apt offers no $pkg: is the bookworm-security archive in sources.list (and 'apt-get update' done)?"
version=$pinned
if ! grep -qxF "$pinned" <<<"$offered"; then
	version=$(sort -V <<<"$offered" | tail -n 1)
	cat >&2 <<-WARN
	[fetch] ##################################################################
	[fetch] WARNING: $pkg $pinned (pinned in BASE) is no longer offered.
	[fetch] WARNING: using the newest offered instead: $pkg $version
	[fetch] WARNING: its sha256 cannot be checked against BASE; every patch
	[fetch] WARNING: must still apply with zero fuzz. Update BASE when it does.
	[fetch] ##################################################################
	WARN
fi

if [ -f "$tarball" ] && [ "$(cat "$dl/version" 2>/dev/null)" = "$version" ]; then
	verify "$version"
	log "base tarball present: $pkg $version"
	exit 0
fi

rm -f "$dl"/*.deb "$tarball" "$dl/version"
log "downloading $pkg $version"
(cd "$dl" && apt-get download -q "$pkg=$version" >/dev/null 2>"$LOGS/fetch.log") ||
	die "apt-get download $pkg=$version failed (log: $LOGS/fetch.log)"
deb=$(ls "$dl"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "apt-get download left no .deb in $dl"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" > "$tarball.tmp" ||
	die "$deb holds no usr/src/$pkg.tar.xz"
mv "$tarball.tmp" "$tarball"
rm -f "$deb"
echo "$version" > "$dl/version"
verify "$version"
log "base tarball: $pkg $version, sha256 $(sha256sum "$tarball" | cut -d' ' -f1)"
