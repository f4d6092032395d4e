#!/usr/bin/env bash
# Make build/linux: the base as a git repository (first commit
# reproducible, tagged "base") with every patch of patches/series applied
# by "git am", no fuzz, no 3-way merge. Never destroys work: a tree with
# uncommitted changes, untracked files or commits that patches/ lacks is
# refused unless FORCE=1, and even then it is moved aside, not deleted.
STEP=tree
. "$(dirname "$0")/lib.sh"

base_name="Debian linux-source-6.12"
base_email="linux-source@packages.debian.org"
base_date="2024-11-17T00:00:00+0000"

# Print why the scratch tree holds work that patches/ lacks; print nothing
# when all of its work is exported.
unexported_work() {
	local c key keys
	if [ -d "$TREE/.git/rebase-apply" ]; then
		echo "a 'git am' is in progress in $TREE"
		return
	fi
	git -C "$TREE" status --porcelain --untracked-files=no | sed 's/^/uncommitted: /' | head -n 10
	# Debian's top-level .gitignore ignores everything, so list untracked
	# files without any exclude rules: builds are out of tree, so the
	# source tree never holds generated files.
	git -C "$TREE" ls-files --others --directory | sed 's/^/untracked: /' | head -n 10
	# Saved work is what patches/ holds now, or what it held when the
	# tree was last applied or exported: a commit patches/ has moved on
	# from (a pull, an edited patch) is not lost work.
	keys=$(series_patches | while read -r p; do
		[ -f "$PATCHES/$p" ] && "$TOP/scripts/patchkey.sh" < "$PATCHES/$p"
	done
	cat "$TREE/.git/synced-keys" 2>/dev/null || true)
	for c in $(git -C "$TREE" rev-list --reverse base..HEAD); do
		key=$(pgit -C "$TREE" format-patch -1 --stdout "$c" | "$TOP/scripts/patchkey.sh")
		grep -qxF "$key" <<<"$keys" ||
			echo "not exported: $(git -C "$TREE" log -1 --format='%h %s' "$c")"
	done
}

# Remember the commits of the tree as saved: they are in patches/ now.
record_synced() {
	local c
	for c in $(git -C "$TREE" rev-list --reverse base..HEAD); do
		pgit -C "$TREE" format-patch -1 --stdout "$c" | "$TOP/scripts/patchkey.sh"
	done > "$TREE/.git/synced-keys"
}

make_base() {
	local tmp=$BUILD/linux.new version
	"$TOP/scripts/fetch-base.sh"
	version=$(cat "$BUILD/dl/version")
	rm -rf "$tmp"
	mkdir -p "$tmp"
	log "extracting $(base_get package) $version"
	tar -xf "$BUILD/dl/linux-source.tar.xz" -C "$tmp" --strip-components=1
	log "creating the base commit"
	(
		cd "$tmp"
		git init -q -b base-tree .
		# Packing 80k loose objects in the background slows everything
		# else down for minutes; the scratch tree never needs it.
		git config gc.auto 0
		# Debian's top-level .gitignore ignores everything: add with force.
		git add -f -A .
		GIT_AUTHOR_NAME=$base_name GIT_AUTHOR_EMAIL=$base_email \
		GIT_COMMITTER_NAME=$base_name GIT_COMMITTER_EMAIL=$base_email \
		GIT_AUTHOR_DATE=$base_date GIT_COMMITTER_DATE=$base_date \
			pgit commit -q --no-verify -m "Linux $(make -s kernelversion) from Debian linux-source-6.12 $version"
		git tag base
		git checkout -q -b series
	)
	mv "$tmp" "$TREE"
	log "base is $(git -C "$TREE" rev-parse --short=12 base) ($version)"
}

apply_series() {
	local p out n=0
	default_identity
	while read -r p; do
		[ -f "$PATCHES/$p" ] || die "patches/series names $p, which does not exist"
		if ! out=$(git -C "$TREE" am -q --no-3way "$PATCHES/$p" 2>&1); then
			git -C "$TREE" am --abort >/dev/null 2>&1 || true
			printf '%s\n' "$out" >&2
			die "patch $p does not apply to $(git -C "$TREE" log -1 --format=%s HEAD): $(sed -n 's/^error: patch failed: //p; s/^error: \(.*\): does not exist in index/\1 (missing)/p' <<<"$out" | head -n 1)"
		fi
		n=$((n + 1))
	done < <(series_patches)
	log "applied $n patches; HEAD is $(git -C "$TREE" log -1 --format='%h %s')"
	record_synced
}

if [ "${1:-}" = --record-synced ]; then
	record_synced
	exit 0
fi

if [ -e "$TREE" ]; then
	git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null 2>&1 ||
		die "$TREE exists but is not a scratch tree (no tag 'base'); move it away"
	work=$(unexported_work)
	if [ -n "$work" ]; then
		if [ "${FORCE:-0}" != 1 ]; then
			printf '%s\n' "$work" >&2
			cat >&2 <<-EOF
			[tree] ERROR: $TREE holds work that patches/ does not have (above).
			[tree] Commit it there and run 'make export' (then commit patches/),
			[tree] or run 'make tree FORCE=1' to set the tree aside as
			[tree] build/linux.saved-<time> and start afresh.
			EOF
			exit 1
		fi
		saved=$BUILD/linux.saved-$(date +%Y%m%d-%H%M%S)
		warn "FORCE=1: moving $TREE to $saved"
		mv "$TREE" "$saved"
	fi
fi

if [ ! -e "$TREE" ]; then
	make_base
elif [ "$("$TOP/scripts/export.sh" --compare)" = same ]; then
	log "$TREE is up to date with patches/ ($(git -C "$TREE" rev-list --count base..HEAD) patches)"
	exit 0
else
	log "re-applying patches/ on base"
	git -C "$TREE" checkout -q -B series base
fi
apply_series
