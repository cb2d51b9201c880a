# SPDX-License-Identifier: Apache-2.0
# Gregor's front door. Every target installs missing Debian packages first
# (scripts/install-deps.sh is idempotent), then forwards to CMake/CTest.
#
#   make broker        the main job: gregor-server on localhost:9092 (make tour: chapter 01's log tour)
#   make test          build everything and run every CTest test
#   make lab-NN        one lab's cases, one PASS/FAIL line each
#   make lab-NN-skeleton DEST=dir   a student tree with LAB-NN solutions stubbed
#   make book          the book in build/book/html
#   make bench         all benchmarks (Google Benchmark), report to build/bench/
#   make sanitize      clang-16 ASan+UBSan build, unit/record/storage tests
#   make fuzz          clang-16 libFuzzer: record batches, requests, config parsers
#                      (FUZZ_SECONDS=60 each, two at a time; a long run that grows
#                      the kept corpus: FUZZ_SECONDS=3600 FUZZ_KEEP=1 make fuzz;
#                      one target: make fuzz FUZZ_TARGETS=request)
#   make torture       the long fault run: >= 50 SIGKILL cycles, then disk faults and power
#                      losses, under load (tests/fault)
#   make check         everything CI runs

BUILD      ?= build
CLANG_BUILD ?= build-clang
GREGOR_WERROR ?= OFF
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
FUZZ_KEEP  ?= 0
FUZZ_TARGETS ?=
TORTURE_KILLS ?= 60
TORTURE_SEED ?= 11
TORTURE_DISK_FAULTS ?= 10
TORTURE_POWERLOSSES ?= 20
CTEST_ARGS ?=
CMAKE_GEN  := -G Ninja
export CCACHE_DIR ?= $(HOME)/.ccache
export CCACHE_MAXSIZE ?= 5G

.PHONY: all deps configure build test broker tour book bench sanitize fuzz torture check format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DGREGOR_WERROR=$(GREGOR_WERROR)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure --timeout 600 -j $(JOBS) $(CTEST_ARGS)

# The README's main command: one Gregor node (broker + controller) on
# localhost:9092 with config/server.properties; data in build/gregor-data.
# Ctrl-C stops it cleanly.
broker: configure
	cmake --build $(BUILD) -j $(JOBS) --target gregor-server
	$(BUILD)/tools/gregor-server config/server.properties

# Chapter 01's tour: a real Log in a temporary directory, appended, read,
# crashed and recovered, with every step printed.

tour: configure
	cmake --build $(BUILD) -j $(JOBS) --target gregor-log-tour
	$(BUILD)/tools/gregor-log-tour

lab-%-skeleton: deps
	@test -n "$(DEST)" || (echo "usage: make lab-$*-skeleton DEST=dir" && exit 2)
	/usr/bin/python3 scripts/lab_skeleton.py --lab $* --tree . --dest $(DEST)

lab-%: configure
	cmake --build $(BUILD) -j $(JOBS) --target lab-$*-tests
	$(BUILD)/labs/lab-$*-tests

book: configure
	cmake --build $(BUILD) --target book

bench: configure
	cmake --build $(BUILD) -j $(JOBS) --target bench

$(CLANG_BUILD)/build.ninja: | deps
	CC=clang-16 CXX=clang++-16 cmake -S . -B $(CLANG_BUILD) $(CMAKE_GEN) \
	  -DGREGOR_WERROR=$(GREGOR_WERROR) -DGREGOR_SANITIZE=address,undefined -DGREGOR_FUZZ=ON

sanitize: deps $(CLANG_BUILD)/build.ninja
	cmake --build $(CLANG_BUILD) -j $(JOBS)
	cd $(CLANG_BUILD) && ctest --output-on-failure --timeout 600 -j $(JOBS) -L 'unit|lab-'

fuzz: deps $(CLANG_BUILD)/build.ninja
	cmake --build $(CLANG_BUILD) -j $(JOBS) --target fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_KEEP=$(FUZZ_KEEP) FUZZ_TARGETS="$(FUZZ_TARGETS)" \
	  bash scripts/run-fuzzers.sh $(CLANG_BUILD)

# The fault harness's long run (tests/fault/README.md): TORTURE_KILLS
# SIGKILL/restart cycles plus 10 SIGKILLs during recovery, 5 SIGTERM and 5
# SIGSTOP cycles under four producers; counts in $(BUILD)/fault-torture.json.
# Then the disk faults: TORTURE_DISK_FAULTS ENOSPC and as many EIO cycles,
# TORTURE_POWERLOSSES simulated power losses and 10 SIGKILLs, on a
# flush.messages=1 topic and a default-flush one; $(BUILD)/fault-torture-disk.json.
torture: configure
	cmake --build $(BUILD) -j $(JOBS) --target gregor-server gregor-dump-log fault_producer
	/usr/bin/python3 tests/fault/fault_test.py --server $(BUILD)/tools/gregor-server \
	  --producer $(BUILD)/tests/fault/fault_producer --dump-log $(BUILD)/tools/gregor-dump-log \
	  --source . --kills $(TORTURE_KILLS) --recovery-kills 10 --terms 5 --pauses 5 \
	  --seed $(TORTURE_SEED) --time-budget-s 3000 --summary $(BUILD)/fault-torture.json
	/usr/bin/python3 tests/fault/disk_fault_test.py --server $(BUILD)/tools/gregor-server \
	  --producer $(BUILD)/tests/fault/fault_producer --dump-log $(BUILD)/tools/gregor-dump-log \
	  --source . --enospc $(TORTURE_DISK_FAULTS) --eio $(TORTURE_DISK_FAULTS) \
	  --powerlosses $(TORTURE_POWERLOSSES) --kills 10 --seed $(TORTURE_SEED) --restart-bound-s 30 \
	  --read-every 3 --time-budget-s 3000 --summary $(BUILD)/fault-torture-disk.json

check: test sanitize book fuzz

format:
	git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(CLANG_BUILD)
