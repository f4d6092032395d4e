#!/usr/bin/env bash
# Every prefix of the series builds, in the spirit of ktest's patchcheck:
# for each commit of base..HEAD, build what it touches with W=1 in a
# worktree of its own (build/each), run sparse on the C files it changes,
# and fail it when a file it touches has a warning the base did not have.
# At HEAD, sparse runs once more on every C file of the series (a header
# change can make sparse warn in a file the commit did not touch). Ends with the
# full build of the test kernel at HEAD, and builds at HEAD of what the
# series touches in the variants of configs/variants/ (each fragment
# merged on top of the test kernel's fragments without the debugging,
# KUnit, devres and traffic ones, which only the test boots need), which
# must not warn in any file the series touches. The variants compile but
# do not link: a full build of each costs about 8 minutes on a fresh
# machine, and every file which calls into the series is among the ones
# compiled (their stubs are what the variants are for).
STEP=each
. "$(dirname "$0")/lib.sh"
results_reset
need_tree
default_identity

src=$BUILD/each
obj=$BUILD/each-obj
cc=gcc
ccache_prefix=
command -v ccache >/dev/null && cc="ccache gcc" && ccache_prefix="ccache "
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/ccache}

commits=$(git -C "$TREE" rev-list --reverse base..HEAD)

# What to build for a commit's C files: the directory a file lives in,
# so that the other files there which include a changed header are built
# too; but a directory whose Makefile descends into subdirectories (kernel/,
# drivers/pci/) would build whole subsystems, so there only the file's
# object. Directories without a Makefile are not built.
dirs_of() {
	git -C "$TREE" diff-tree --no-commit-id --name-only -r "$@" -- '*.c' |
		while read -r f; do
			d=$(dirname "$f")
			m=$TREE/$d/Makefile
			[ -f "$m" ] || m=$TREE/$d/Kbuild
			[ -f "$m" ] || continue
			if grep -qE '[[:space:]=][A-Za-z0-9_-]+/[[:space:]]*(\\)?$' "$m"; then
				echo "${f%.c}.o"
			else
				echo "$d/"
			fi
		done | sort -u
}

# Build directories in the worktree; print "file: warning text" (no line
# numbers) for every warning, for files given as further arguments only.
# The configuration is the test kernel's without the compiler's
# instrumentation (KASAN, UBSAN), which makes a file take about 1.5 times
# as long to compile (kernel/irq/manage.c: 1.2 s against 0.8 s): these
# builds are about building and warnings, and the full build at HEAD
# below has it on.
# The configuration is merged again only where Kconfig changed (options
# the series adds do not exist before it): merging costs seconds a commit.
build_dirs() {
	local logf=$1
	shift
	: > "$logf"
	if [ "${merge:-1}" = 1 ]; then
		mkdir -p "$obj"
		printf '# CONFIG_KASAN is not set\n# CONFIG_UBSAN is not set\n' > "$BUILD/each-uninstrumented.config"
		(cd "$src" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$obj" \
			"$TOP"/configs/*.config "$BUILD/each-uninstrumented.config") \
			>> "$logf" 2>&1 || { tail -n 5 "$logf" >&2; echo "configure failed" >&2; return 1; }
	fi
	make -C "$src" O="$obj" ARCH=x86_64 CC="$cc" HOSTCC="$cc" -j"$JOBS" W=1 "$@" >> "$logf" 2>&1
}

# Run sparse (C=2: whether or not the object is up to date) on the objects
# of the C files given that exist in the worktree. Sparse is never cached,
# so it runs once per file and commit rather than on everything a header
# change rebuilds.
sparse_files() {
	local logf=$1 f objs=()
	shift
	for f in "$@"; do
		# Kernel objects only: the selftests build with their own Makefile
		case "$f" in tools/*) ;; *.c) [ -f "$src/$f" ] && objs+=("${f%.c}.o") ;; esac
	done
	[ ${#objs[@]} -gt 0 ] || return 0
	make -C "$src" O="$obj" ARCH=x86_64 CC="$cc" HOSTCC="$cc" -j"$JOBS" W=1 C=2 "${objs[@]}" >> "$logf" 2>&1
}

warnings_in() {
	local logf=$1
	shift
	{ grep -aE '^[^ :]+:[0-9]+(:[0-9]+)?: (warning|error): ' "$logf" || true; } |
		sed -E 's/^([^:]+):[0-9]+(:[0-9]+)?: /\1\t/' |
		awk -F'\t' -v files="$*" '
			BEGIN { n = split(files, f, " ") }
			{ for (i = 1; i <= n; i++) {
				l = length(f[i])
				if ($1 == f[i] || substr($1, length($1) - l) == "/" f[i])
					print f[i] ": " $2
			} }' | sort -u
}

# judge RESULT LOGF BASELINE WHAT DETAIL FILES...: RESULT passes (with
# DETAIL) unless LOGF has a warning in FILES which BASELINE (a file of
# warnings_in lines, /dev/null for none) lacks; then it fails with WHAT.
judge() {
	local name=$1 logf=$2 baseline=$3 what=$4 detail=$5 new
	shift 5
	new=$(warnings_in "$logf" "$@" | comm -23 - "$baseline")
	if [ -n "$new" ]; then
		printf '%s\n' "$new" | sed 's/^/    /' >&2
		result fail "$name" "$what"
	else
		result pass "$name" "$detail"
	fi
}

if [ -n "$commits" ]; then
	if [ ! -d "$src/.git" ] && [ ! -f "$src/.git" ]; then
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$src" base
	fi
	# What the base already warns about in every file the series touches.
	all_dirs=$(dirs_of base HEAD | tr '\n' ' ')
	all_files=$(git -C "$TREE" diff --name-only base..HEAD -- '*.c' '*.h' | tr '\n' ' ')
	git -C "$src" checkout -q --detach base
	log "base warnings in the touched directories: $all_dirs"
	# shellcheck disable=SC2086
	build_dirs "$LOGS/each-base.log" $all_dirs || true
	# shellcheck disable=SC2086
	sparse_files "$LOGS/each-base.log" $all_files || true
	# shellcheck disable=SC2086
	warnings_in "$LOGS/each-base.log" $all_files > "$BUILD/each-base.warnings"

	for c in $commits; do
		subject=$(git -C "$TREE" log -1 --format=%s "$c")
		git -C "$src" checkout -q --detach "$c"
		dirs=$(dirs_of "$c" | tr '\n' ' ')
		# The kernel's C files and headers (tools/ builds on its own)
		files=$(git -C "$TREE" diff-tree --no-commit-id --name-only -r "$c" -- '*.c' '*.h' ':!tools/' | tr '\n' ' ')
		# A commit which changes headers only is built with their users
		# in the series: the directories the series touches which exist
		# at that commit.
		if [ -z "$dirs" ] && [ -n "$files" ]; then
			for d in $all_dirs; do
				[ -d "$src/$d" ] || [ -f "$src/${d%.o}.c" ] && dirs="$dirs$d "
			done
		fi
		logf=$LOGS/each-$(git -C "$TREE" rev-parse --short=12 "$c").log
		merge=0
		[ -n "$(git -C "$TREE" diff-tree --no-commit-id --name-only -r "$c" -- '*Kconfig*')" ] && merge=1
		log "$subject: building ${dirs:-no C or header file, the prepare step}"
		# shellcheck disable=SC2086
		if ! build_dirs "$logf" ${dirs:-prepare} || ! sparse_files "$logf" $files; then
			grep -E 'error|Error' "$logf" | head -n 20 >&2
			result fail "each: $subject" "does not build (log: $logf)"
			continue
		fi
		# shellcheck disable=SC2086
		judge "each: $subject" "$logf" "$BUILD/each-base.warnings" \
			"new warnings in files it touches" "" $files
	done

	# The worktree is at HEAD now: sparse on every C file of the series.
	logf=$LOGS/each-sparse.log
	log "sparse at HEAD on the series' C files"
	: > "$logf"
	# shellcheck disable=SC2086
	if ! sparse_files "$logf" $all_files; then
		grep -E 'error|Error' "$logf" | head -n 20 >&2
		result fail "each: sparse at HEAD" "does not build (log: $logf)"
	else
		# shellcheck disable=SC2086
		judge "each: sparse at HEAD" "$logf" "$BUILD/each-base.warnings" \
			"new warnings in files the series touches" "" $all_files
	fi
fi

log "full build of the test kernel at HEAD"
if "$TOP/scripts/kernel.sh"; then
	result pass "each: full build at HEAD"
else
	result fail "each: full build at HEAD"
fi

# Samples the series adds are built in by the test kernel; build each of
# them as a module too, against the test kernel.
for d in $(git -C "$TREE" diff --name-only --diff-filter=A base..HEAD -- 'samples/*/Makefile' | xargs -r -n1 dirname); do
	syms=$(sed -n 's/^obj-\$(\(CONFIG_[A-Z0-9_]*\)).*/\1=m/p' "$TREE/$d/Makefile" | sort -u | tr '\n' ' ')
	logf=$LOGS/module-$(basename "$d").log
	# A copy, so that the module's objects stay out of the source tree
	mdir=$BUILD/module-$(basename "$d")
	rm -rf "$mdir"
	cp -r "$TREE/$d" "$mdir"
	# shellcheck disable=SC2086
	if make -C "$TREE" O="$KOBJ" ARCH=x86_64 CC="$cc" HOSTCC="$cc" M="$mdir" \
		$syms W=1 modules > "$logf" 2>&1 && ! grep -qE 'warning:|error:' "$logf"; then
		result pass "each: $d builds as a module" "$syms"
	else
		grep -E 'warning:|error:|ERROR' "$logf" | head -n 20 >&2
		result fail "each: $d builds as a module" "log: $logf"
	fi
done

# Whether the configuration in $1 builds the object target $2 (dir/file.o):
# the symbol of its obj- line and those of the "ifdef CONFIG_..." around
# it are all set. Objects named on obj-y lines count as built. "make
# dir/file.o" compiles a file whatever the configuration says, so the
# variants leave out the objects their configuration does not build.
configured() {
	local config=$1 target=$2
	awk -v obj="$(basename "$target" | sed 's/\./\\./g')" -v cfg="$config" '
		BEGIN { while ((getline l < cfg) > 0) if (l ~ /^CONFIG_.*=[ym]$/) { split(l, a, "="); on[a[1]] = 1 } }
		# One logical line out of backslash continuations
		/\\$/ { cont = cont substr($0, 1, length($0) - 1) " "; next }
		{ $0 = cont $0; cont = "" }
		/^ifdef[ \t]+CONFIG_/ { stack[++n] = $2; next }
		/^ifndef|^ifeq|^ifneq/ { stack[++n] = ""; next }
		/^endif/ { n--; next }
		$0 ~ /^obj-/ && (" " $0 " ") ~ ("[ \t=]" obj "[ \t]") {
			ok = 1
			for (i = 1; i <= n; i++) if (stack[i] != "" && !on[stack[i]]) ok = 0
			if (match($0, /\$\(CONFIG_[A-Z0-9_]+\)/)) {
				sym = substr($0, RSTART + 2, RLENGTH - 3)
				if (!on[sym]) ok = 0
			}
			if (ok) found = 1
		}
		END { exit found ? 0 : 1 }
	' "$TREE/$(dirname "$target")/Makefile"
}

series_files=$(git -C "$TREE" diff --name-only base..HEAD -- '*.c' '*.h' | tr '\n' ' ')
all_targets=$(dirs_of base HEAD | tr '\n' ' ')
for v in "$TOP"/configs/variants/*.config; do
	[ -f "$v" ] || continue
	name=$(basename "$v" .config)
	vobj=$BUILD/variant-$name
	logf=$LOGS/variant-$name.log
	frags=()
	for f in "$TOP"/configs/*.config; do
		case "$(basename "$f")" in
		*debug* | *kunit* | *traffic* | *devres*) ;;
		*) frags+=("$f") ;;
		esac
	done
	log "build at HEAD of what the series touches, variant $name ($vobj): $all_targets"
	mkdir -p "$vobj"
	if ! (cd "$TREE" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$vobj" "${frags[@]}" "$v") \
		> "$logf" 2>&1; then
		result fail "each: variant $name" "configuration failed (log: $logf)"
		continue
	fi
	# What the variant asks for must be what it gets: a symbol which
	# another one selects stays on, and the variant would test nothing.
	missing=$(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=n/p; s/^\(CONFIG_[A-Z0-9_]*=.*\)$/\1/p' "$v" |
		while IFS= read -r want; do
			sym=${want%%=*}
			got=$(grep -m1 "^$sym=" "$vobj/.config" || echo "$sym=n")
			[ "$got" = "$want" ] || printf '%s (got %s) ' "$want" "$got"
		done)
	if [ -n "$missing" ]; then
		result fail "each: variant $name" "the configuration does not have $missing"
		continue
	fi
	targets=
	for t in $all_targets; do
		case "$t" in
		*.o) configured "$vobj/.config" "$t" || { log "variant $name: $t is not configured"; continue; } ;;
		esac
		targets="$targets $t"
	done
	# shellcheck disable=SC2086
	if ! make -C "$TREE" O="$vobj" ARCH=x86_64 CC="$cc" HOSTCC="$cc" -j"$JOBS" $targets >> "$logf" 2>&1; then
		grep -E 'error|Error' "$logf" | head -n 20 >&2
		result fail "each: variant $name" "does not build (log: $logf)"
		continue
	fi
	# shellcheck disable=SC2086
	judge "each: variant $name" "$logf" /dev/null "warnings in files the series touches" \
		"$(grep -E '^(CONFIG_PCI_MSI|CONFIG_PCI_IMS)[= ]|^# CONFIG_PCI_(MSI|IMS) ' "$vobj/.config" | tr '\n' ' ')" \
		$series_files
done
# The arch-neutral directories the series touches, cross built for arm64
# at HEAD with W=1: allnoconfig plus configs/cross/arm64.config. x86-only
# directories (arch/x86, the Intel and AMD IOMMU drivers) are left out.
arm64_dirs=$(dirs_of base HEAD | grep -vE '^(arch/|drivers/iommu/(intel|amd)/)' | tr '\n' ' ')
aobj=$BUILD/cross-arm64
logf=$LOGS/cross-arm64.log
log "arm64 cross build at HEAD: $arm64_dirs"
mkdir -p "$aobj"
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
	result fail "each: arm64 cross build" "no aarch64-linux-gnu-gcc (apt-get install gcc-aarch64-linux-gnu)"
elif ! (cd "$TREE" && ARCH=arm64 scripts/kconfig/merge_config.sh -n -O "$aobj" \
		"$TOP/configs/cross/arm64.config") > "$logf" 2>&1; then
	result fail "each: arm64 cross build" "configuration failed (log: $logf)"
elif lost=$(sed -n 's/^Value requested for \(CONFIG_[A-Z0-9_]*\) not in final .config/\1/p' "$logf") &&
	[ -n "$lost" ]; then
	result fail "each: arm64 cross build" "options lost in the merge: $(echo $lost)"
# shellcheck disable=SC2086
elif ! make -C "$TREE" O="$aobj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CC="${ccache_prefix}aarch64-linux-gnu-gcc" \
		HOSTCC="$cc" -j"$JOBS" W=1 $arm64_dirs >> "$logf" 2>&1; then
	grep -E 'error|Error' "$logf" | head -n 20 >&2
	result fail "each: arm64 cross build" "does not build (log: $logf)"
else
	# shellcheck disable=SC2086
	judge "each: arm64 cross build" "$logf" /dev/null "warnings in files the series touches" \
		"$arm64_dirs" $series_files
fi
! grep -q '^fail' "$RESULTS/each.tsv"
