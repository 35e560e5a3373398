# SPDX-License-Identifier: GPL-2.0
#
# sernet: build the module for every installed Debian kernel header tree,
# the userspace programs, and run the checks. `make help` lists the targets.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
VERSION := $(shell cd $(TOP) && git describe --always --dirty 2>/dev/null || echo unknown)

# Every header tree Debian installed (the -common trees have no Module.symvers)
KDIRS := $(patsubst %/Module.symvers,%,$(wildcard /usr/src/linux-headers-*/Module.symvers))
ifdef KDIR
KDIRS := $(abspath $(KDIR))
endif

# Debian packages for the build, the tests and the demo
DEPS := build-essential pkg-config git python3 \
	linux-headers-amd64 linux-headers-6.12-amd64 dwarves \
	linux-image-amd64 linux-image-6.12-amd64 linux-source-6.1 \
	linux-source-6.12 bc bison flex libelf-dev libssl-dev \
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd \
	iproute2 util-linux socat picocom \
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libjson-c-dev \
	libcmocka-dev valgrind sparse shellcheck ser2net gnuplot-nox \
	clang libclang-rt-14-dev python3-yaml python3-jsonschema

# Userspace: C11, warnings are errors
CC ?= cc
CFLAGS ?= -O2 -g
PKGS := libnl-genl-3.0 json-c
UCFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-I$(TOP)/include/uapi -I$(TOP)/userspace/lib \
	$(shell pkg-config --cflags $(PKGS)) -DSERNET_VERSION='"$(VERSION)"'
ULIBS = $(shell pkg-config --libs $(PKGS))

LIB_SRC := $(wildcard userspace/lib/*.c)
LIB_OBJ := $(LIB_SRC:userspace/%.c=$(BUILD)/obj/%.o)
LIB_HDR := $(wildcard userspace/lib/*.h) include/uapi/linux/sernet.h
# The AT engine, config store and RSTIM decision of sernetd (a library,
# host-tested)
AT_SRC := userspace/sernetd/at.c userspace/sernetd/at_table.c userspace/sernetd/store.c \
	userspace/sernetd/rstim.c
AT_OBJ := $(AT_SRC:userspace/%.c=$(BUILD)/obj/%.o)
AT_HDR := userspace/sernetd/at.h userspace/sernetd/at_int.h userspace/sernetd/rstim.h

# Host unit tests (cmocka) and kselftest programs (run in the VM)
UTESTS := $(patsubst userspace/tests/%.c,$(BUILD)/tests/%,$(wildcard userspace/tests/*.c))
KSFT := $(BUILD)/ksrc/tools/testing/selftests
SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,$(wildcard selftests/*.c))

KERNEL_SRC := $(wildcard kernel/*.c kernel/*.h) Kbuild include/uapi/linux/sernet.h

.PHONY: all modules testmod userspace selftests ynl utests deps lint check test-host at-doc \
	debug-kernel check-debug \
	test-vm install demo bench bench-plot bench-test bench-hops fuzz fuzz-build stress mutants \
	clean help

all: modules userspace

help:
	@echo "make            module for every kernel in /usr/src + programs"
	@echo "make KDIR=DIR   module for one kernel header tree"
	@echo "make deps       install the Debian packages everything needs"
	@echo "make ynl        the kernel's ynl CLI and schemas into build/ynl/ (linux-source-6.12)"
	@echo "make lint       checkpatch --strict, sparse, W=1; shellcheck on the scripts"
	@echo "make check      deps, build, lint, host tests, VM selftests (6.1, 6.12, debug)"
	@echo "make check-debug deps, debug kernel (cached), every selftest on it"
	@echo "make debug-kernel the debug kernel (cached) and sernet.ko for it"
	@echo "make demo       boot the VM with a port attached"
	@echo "make fuzz       libFuzzer targets, FUZZ_SECONDS (60) each; check runs 5 s each"
	@echo "make stress     selftests/stress_test.py at full size (1 GiB each way), 6.1 and 6.12"
	@echo "make mutants    mutants of kernel/, each must fail its tests (~30 min; MUTANTS=a,b)"
	@echo "make bench      sernet vs ser2net vs a userspace forwarder, in the VM (9-13 min)"
	@echo "make bench-plot PNG charts of the last bench (build/bench/*.png)"
	@echo "make bench-test host test of the bench's table (verdicts, marks, rotation), TAP"
	@echo "make bench-hops one round trip hop by hop, from the kernel's function tracer (VM)"
	@echo "make install    module to /lib/modules/\$$(uname -r)/updates, sernetctl and sernetd to /usr/local"

# --- kernel module --------------------------------------------------------
# Each kernel gets its own tree of symlinks under build/<release>/ so the
# objects of one kernel never mix with another's.
define modtree
	mkdir -p $(1)/kernel; \
	find $(1)/kernel -xtype l -delete; \
	ln -sfn $(TOP)/Kbuild $(1)/Kbuild; \
	ln -sfn $(TOP)/include $(1)/include; \
	for f in $(TOP)/kernel/*.[ch]; do ln -sfn $$f $(1)/kernel/; done
endef

modules:
	@test -n "$(KDIRS)" || { echo "no kernel headers in /usr/src: run make deps" >&2; exit 1; }
	@set -e; for k in $(KDIRS); do \
		r=$$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $$k/include/generated/utsrelease.h); d=$(BUILD)/$$r; \
		$(call modtree,$$d); \
		echo "  MODULE  $$r"; \
		$(MAKE) -s -C $$k M=$$d SERNET_VERSION=$(VERSION) modules; \
		$(call modtree,$$d/hooks); \
		echo "  MODULE  $$r (test build, kernel/hooks.h)"; \
		$(MAKE) -s -C $$k M=$$d/hooks SERNET_TEST_HOOKS=y SERNET_VERSION=$(VERSION) modules; \
	done

# A test-only module that oopses in a kworker, for make check's test of the
# VM runner (tools/vm/testmod/): build/<release>/testmod/sernet_crash.ko
testmod:
	@set -e; for k in $(KDIRS); do \
		r=$$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $$k/include/generated/utsrelease.h); \
		d=$(BUILD)/$$r/testmod; mkdir -p $$d; \
		for f in $(TOP)/tools/vm/testmod/*; do ln -sfn $$f $$d/; done; \
		$(MAKE) -s -C $$k M=$$d modules; \
	done

# --- userspace ------------------------------------------------------------
userspace: $(BUILD)/bin/sernetctl $(BUILD)/bin/sernetd

$(BUILD)/obj/%.o: userspace/%.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/lib/libsernet.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/bin/sernetctl: $(BUILD)/obj/sernetctl/sernetctl.o $(BUILD)/lib/libsernet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(ULIBS)

SERNETD_OBJ := $(BUILD)/obj/sernetd/sernetd.o $(BUILD)/obj/sernetd/ports.o \
	$(BUILD)/obj/sernetd/sys.o $(BUILD)/obj/sernetd/wan.o
$(BUILD)/bin/sernetd: $(SERNETD_OBJ) $(BUILD)/lib/libsernetat.a $(BUILD)/lib/libsernet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(ULIBS) $(shell pkg-config --libs libnl-route-3.0)

$(SERNETD_OBJ): $(AT_HDR) userspace/sernetd/sernetd.h

utests: $(UTESTS) $(BUILD)/bin/at-doc

# Documentation/at-commands.md from the AT command table (make check compares)
$(BUILD)/bin/at-doc: userspace/sernetd/at_doc.c $(BUILD)/lib/libsernetat.a $(AT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/lib/libsernetat.a

at-doc: $(BUILD)/bin/at-doc
	$(BUILD)/bin/at-doc >Documentation/at-commands.md

$(BUILD)/lib/libsernetat.a: $(AT_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(AT_OBJ): $(AT_HDR)

$(BUILD)/tests/%: userspace/tests/%.c $(BUILD)/lib/libsernet.a $(BUILD)/lib/libsernetat.a $(LIB_HDR) $(AT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/lib/libsernet.a $(BUILD)/lib/libsernetat.a \
		$(ULIBS) -lcmocka

# --- kselftests -----------------------------------------------------------
# kselftest_harness.h and checkpatch.pl come from Debian's linux-source-6.1,
# extracted here at build time and never committed.
KSRC_TAR := /usr/src/linux-source-6.1.tar.xz
KSRC_FILES := scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch \
	tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h

$(BUILD)/ksrc/.stamp: $(KSRC_TAR)
	@test -f $(KSRC_TAR) || { echo "$(KSRC_TAR) missing: run make deps" >&2; exit 1; }
	@mkdir -p $(BUILD)/ksrc
	tar -xJf $(KSRC_TAR) -C $(BUILD)/ksrc --strip-components=1 \
		$(addprefix linux-source-6.1/,$(KSRC_FILES))
	@touch $@

selftests: $(SELFTESTS) $(BUILD)/ynl/.stamp

# The kernel's ynl tooling (cli.py, lib/, ynl-gen-c.py) and the genetlink
# schemas, from Debian's linux-source-6.12, for the netlink spec's check
# (tools/check/ynl-spec) and selftests/ynl_test.sh. build/ynl/cli.py runs
# as the kernel's tools/net/ynl/cli.py; the schemas are under
# build/ynl/Documentation/netlink/, and the empty MAINTAINERS marks the
# tree's root for ynl-gen-c.py.
YNL_TAR := /usr/src/linux-source-6.12.tar.xz
YNL_FILES := tools/net/ynl/cli.py tools/net/ynl/ynl-gen-c.py tools/net/ynl/lib \
	Documentation/netlink/genetlink.yaml Documentation/netlink/genetlink-c.yaml \
	Documentation/netlink/genetlink-legacy.yaml

ynl: $(BUILD)/ynl/.stamp

$(BUILD)/ynl/.stamp: $(YNL_TAR)
	@test -f $(YNL_TAR) || { echo "$(YNL_TAR) missing: run make deps" >&2; exit 1; }
	@rm -rf $(BUILD)/ynl && mkdir -p $(BUILD)/ynl
	tar -xJf $(YNL_TAR) -C $(BUILD)/ynl \
		--transform 's,^linux-source-6.12/tools/net/ynl/,,;s,^linux-source-6.12/,,' \
		$(addprefix linux-source-6.12/,$(YNL_FILES))
	@touch $(BUILD)/ynl/MAINTAINERS $@

# -Wall, as the kernel's selftests; they use the userspace library for
# netlink, so they test it too.
$(BUILD)/selftests/%: selftests/%.c selftests/sernet_test.h $(BUILD)/ksrc/.stamp $(BUILD)/lib/libsernet.a $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(subst -Wextra,,$(subst -std=c11,-std=gnu11,$(UCFLAGS))) $(CFLAGS) -I$(KSFT) \
		-o $@ $< $(BUILD)/lib/libsernet.a $(ULIBS)

# --- dependencies ---------------------------------------------------------
deps:
	@missing=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' $(DEPS) 2>/dev/null | \
		awk '$$1 == "ii" { print $$2 }' | sort | comm -13 - <(tr ' ' '\n' <<< "$(DEPS)" | grep . | sort)); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS    installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends $(DEPS) >/dev/null; \
	fi

# --- checks ---------------------------------------------------------------
lint: modules $(BUILD)/ksrc/.stamp
	@tools/check/lint $(BUILD) $(KDIRS)

check:
	@$(MAKE) -s deps
	@tools/check/run

# The debug kernel (KASAN, UBSAN, kmemleak, lockdep, ...): built once from
# linux-source-6.12 into a cache outside the tree (tools/kernel/), and
# sernet.ko for it into build/<its release>/ like the others.
debug-kernel:
	@tree=$$(tools/kernel/build-debug) && $(MAKE) -s modules KDIR=$$tree

check-debug:
	@$(MAKE) -s deps
	@tools/check/run debug

install: all
	@r=$$(uname -r); k=/lib/modules/$$r/build; \
	test -d $$k || { echo "no headers for the running kernel $$r" >&2; exit 1; }; \
	$(MAKE) -s KDIR=$$k modules && \
	$(MAKE) -C $$k M=$(BUILD)/$$r INSTALL_MOD_DIR=updates modules_install && \
	depmod -a $$r
	install -D -m 0755 $(BUILD)/bin/sernetctl $(DESTDIR)/usr/local/bin/sernetctl
	install -D -m 0755 $(BUILD)/bin/sernetd $(DESTDIR)/usr/local/bin/sernetd

demo:
	@$(MAKE) -s deps
	@$(MAKE) -s all
	@tools/demo

# --- benchmark (not part of check) -----------------------------------------
$(BUILD)/bench/fwd: tools/bench/fwd.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(CFLAGS) -o $@ $<

$(BUILD)/bench/load: tools/bench/load.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(CFLAGS) -o $@ $<

bench:
	@$(MAKE) -s deps
	@$(MAKE) -s all $(BUILD)/bench/fwd $(BUILD)/bench/load
	@tools/bench/run

bench-plot:
	@tools/bench/plot.py $(BUILD)/bench/results.json

bench-test:
	@tools/bench/test_bench.py

bench-hops:
	@$(MAKE) -s modules
	@tools/vm/run --kernel $${SERNET_BENCH_KERNEL:-6.12} --timeout 600 -- tools/bench/hops.py 300

# --- fuzzing (clang, libFuzzer + ASan + UBSan) ----------------------------
# Built from the product's own sources: kernel/pack_step.h is the code
# pack.c runs; the userspace parsers are compiled in whole.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard fuzz/fuzz_*.c))

# The kernel's step functions, built alone
$(BUILD)/fuzz/fuzz_pack $(BUILD)/fuzz/fuzz_at: $(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c kernel/%_step.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -std=c11 -Wall -Wextra -Werror -I$(TOP)/kernel -o $@ $<

# The AT engine and config store
$(BUILD)/fuzz/fuzz_at_parse $(BUILD)/fuzz/fuzz_store_load: $(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c $(AT_SRC) $(AT_HDR)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $(UCFLAGS) -I$(TOP)/userspace/sernetd -o $@ $< $(AT_SRC)

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $(UCFLAGS) -o $@ $< $(LIB_SRC) $(ULIBS)

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	@fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# --- stress at full size (check runs it smaller) ----------------------------
stress:
	@$(MAKE) -s deps
	@$(MAKE) -s all selftests
	@for k in $${SERNET_KERNELS:-6.1 6.12}; do \
		echo "== stress on $$k"; \
		if [ $$k = debug ]; then $(MAKE) -s debug-kernel || exit 1; fi; \
		tools/vm/run --kernel $$k --timeout 3600 -- \
			env SERNET_STRESS=full selftests/stress_test.py || exit 1; \
	done

# --- mutation check (not part of check: it is slow) ------------------------------
# Each mutant of tools/mutants/mutants.py on a scratch copy, build/mutants/NAME/
mutants: $(BUILD)/ksrc/.stamp
	@tools/mutants/run $(MUTANTS)

clean:
	rm -rf $(BUILD)
