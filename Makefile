# The workbench of the PCI/IMS series: one target per job, each a script
# in scripts/. "make help" lists them.

S := scripts

.PHONY: help deps fetch tree export roundtrip checkpatch each kerneldoc \
	kernel initramfs selftests vmm kunit scenarios nested check demo demo-guest clean

help:
	@echo "make demo        build and boot the test kernel, show what the series does"
	@echo "make demo-guest  the same in a guest: the VMM composes its IMS messages (nested, KVM)"
	@echo "make check       everything CI runs; ends with 'N passed, N failed, N skipped'"
	@echo "make tree        build/linux: the base plus patches/ as git commits"
	@echo "make export      write base..HEAD of build/linux back to patches/"
	@echo "make roundtrip   apply + export reproduces patches/ byte for byte"
	@echo "make checkpatch  scripts/checkpatch.pl --strict on every patch"
	@echo "make each        every prefix of the series builds (W=1, sparse)"
	@echo "make kerneldoc   no kernel-doc warnings in touched files"
	@echo "make kernel      build the test kernel (configs/*.config)"
	@echo "make selftests   build the KVM selftests the series adds (static)"
	@echo "make vmm         build the VMM of the nested scenarios (Debian's QEMU + vmm/patches)"
	@echo "make kunit       run the KUnit suites in QEMU"
	@echo "make scenarios   boot every tests/qemu scenario but the nested ones (ONLY=name for one)"
	@echo "make nested      the nested scenarios: a guest on the VMM of make vmm (not in check yet)"
	@echo "make deps        apt-get install what is missing"
	@echo "make clean       remove build/ except the scratch tree and downloads"

deps:
	@$(S)/deps.sh
fetch: deps
	@$(S)/fetch-base.sh
tree: deps
	@$(S)/tree.sh
export:
	@$(S)/export.sh
roundtrip: tree
	@$(S)/roundtrip.sh
checkpatch: tree
	@$(S)/checkpatch.sh
kerneldoc: tree
	@$(S)/kerneldoc.sh
each: tree
	@$(S)/each.sh
kernel: tree
	@$(S)/kernel.sh
initramfs: deps
	@$(S)/initramfs.sh
kunit: kernel initramfs
	@$(S)/kunit.sh
selftests: tree
	@$(S)/selftests.sh
vmm: deps
	@$(S)/vmm.sh
scenarios: kernel initramfs selftests
	@$(S)/scenarios.sh $(ONLY)
nested: kernel initramfs vmm
	@$(S)/nested.sh $(ONLY)
check:
	@$(S)/check.sh
demo: kernel initramfs
	@$(S)/demo.sh
demo-guest: kernel initramfs vmm
	@$(S)/demo-guest.sh

clean:
	rm -rf build/kernel build/each build/each-obj build/initramfs build/scenarios \
		build/kunit build/selftests build/results build/logs build/roundtrip build/roundtrip.out \
		build/vmm/obj build/vmm/stamp
