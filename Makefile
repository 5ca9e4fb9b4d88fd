# alloclab - see README.md. `make bench` and `make test` are all a fresh
# Debian machine needs; both install missing packages first when they can.

# ---- build variants: make | make DEBUG=1 | make SAN=address|undefined|thread
ifdef SAN
  BUILD ?= build/san-$(SAN)
  # ALLOCLAB_SANITIZED: the unit tests scale their operation counts down (never their checks)
  OPT := -O1 -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all -DALLOCLAB_SANITIZED
else ifdef DEBUG
  BUILD ?= build/debug
  OPT := -O0 -g3
else
  BUILD ?= build
  OPT := -O2
endif

SHELL := /bin/bash
CC ?= cc
CFLAGS := -std=c11 -Wall -Wextra -Werror -g $(OPT) $(EXTRA_CFLAGS)
CPPFLAGS := -D_GNU_SOURCE -Iallocators -Iworkloads -Irunner -Irunner/analysis -Itests/fixtures -I$(BUILD)/gen
LDFLAGS := $(filter -fsanitize=%,$(OPT))
LDLIBS := -lhwloc -lpthread -lm -ldl -lurcu-memb

# ---- plugins: the registries are generated from the folders' contents
ALLOC_NAMES := $(sort $(notdir $(basename $(wildcard allocators/*.c))))
WORKLOAD_NAMES := $(sort $(notdir $(basename $(wildcard workloads/*.c))))
# claims in the order of their names as numbers: C2 before C10
CLAIM_NAMES := $(shell printf '%s\n' $(notdir $(basename $(wildcard runner/analysis/claims/*.c))) | sort -V)
$(shell mkdir -p $(BUILD)/gen && { echo '$(ALLOC_NAMES)' | cmp -s - $(BUILD)/gen/allocators.list || echo '$(ALLOC_NAMES)' > $(BUILD)/gen/allocators.list; })
# what sysinfo reports of the build itself
BUILDINFO := \#define ALLOCLAB_CFLAGS "$(CC) $(CFLAGS)"\n\#define ALLOCLAB_COMMIT "$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo +changes)"
$(shell printf '$(BUILDINFO)\n' | cmp -s - $(BUILD)/gen/buildinfo.h || printf '$(BUILDINFO)\n' > $(BUILD)/gen/buildinfo.h)
$(shell { echo '$(WORKLOAD_NAMES)' | cmp -s - $(BUILD)/gen/workloads.list || echo '$(WORKLOAD_NAMES)' > $(BUILD)/gen/workloads.list; })
$(shell { echo '$(CLAIM_NAMES)' | cmp -s - $(BUILD)/gen/claims.list || echo '$(CLAIM_NAMES)' > $(BUILD)/gen/claims.list; })

# workloads/programs/server.c is a program of its own (build/alloclab-server), not part of the library
LIB_SRCS := $(wildcard allocators/*.c allocators/support/*.c workloads/*.c workloads/replay/*.c) \
            $(filter-out workloads/programs/server.c,$(wildcard workloads/programs/*.c)) \
            $(filter-out runner/main.c,$(wildcard runner/*.c runner/analysis/*.c runner/analysis/claims/*.c \
            runner/grader/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) $(BUILD)/obj/gen/allocator_registry.o \
            $(BUILD)/obj/gen/workload_registry.o $(BUILD)/obj/gen/claim_registry.o
HEADERS := $(wildcard allocators/*.h allocators/support/*.h allocators/preload/*.h runner/*.h runner/*/*.h workloads/*.h workloads/*/*.h \
             tests/fixtures/*.h)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
# ThreadSanitizer runs the tests that start threads (each also runs plain, ASan and UBSan)
ifeq ($(SAN),thread)
  UNIT_TESTS := $(filter %/test_heap %/test_copy %/test_user_cow %/test_stats %/test_runner %/test_stress,$(UNIT_TESTS))
endif
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_PROGRAMS := $(BUILD)/programs/preload_probe $(BUILD)/programs/fork_storm
FIXTURE_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/fixtures/*.c))

PACKAGES := build-essential libhwloc-dev hwloc gnuplot-nox linux-perf libcmocka-dev bats \
            libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4 redis-server redis-tools sqlite3 lua5.4 liburcu-dev
# what only a test uses (a one-node Slurm for the job array's test): installed when it can be; where it
# cannot, that test says so and skips
TEST_PACKAGES := slurm-wlm
PROFILE ?= default

.PHONY: all deps test-deps test unit bats bench clean check check-heap new-allocator docs
.SECONDARY:
all: $(BUILD)/alloclab $(BUILD)/liballoctrace.so $(BUILD)/liballoclab.so $(BUILD)/alloclab-server \
     $(BUILD)/alloclab-misuse-probe $(TEST_PROGRAMS)

$(BUILD)/gen/allocator_registry.c: $(BUILD)/gen/allocators.list runner/gen-registry.sh
	runner/gen-registry.sh allocator allocator.h $(ALLOC_NAMES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/workload_registry.c: $(BUILD)/gen/workloads.list runner/gen-registry.sh
	runner/gen-registry.sh workload workload.h $(WORKLOAD_NAMES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/claim_registry.c: $(BUILD)/gen/claims.list runner/gen-registry.sh
	runner/gen-registry.sh claim claims.h $(CLAIM_NAMES) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# only sysinfo reports the build (flags, commit): only it rebuilds when they change
$(BUILD)/obj/runner/sysinfo.o: $(BUILD)/gen/buildinfo.h

$(BUILD)/liballoclab.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/alloclab: $(BUILD)/obj/runner/main.o $(BUILD)/liballoclab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the LD_PRELOAD trace recorder: never built with a sanitizer (it runs inside other programs)
$(BUILD)/liballoctrace.so: workloads/recorder/alloctrace.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -fPIC -shared -o $@ $< -ldl -lpthread

# the LD_PRELOAD library: any heap strategy as a program's malloc (allocators/preload/preload.c).
# Never built with a sanitizer (it runs inside other programs). The strategies' own calls to
# malloc go to the C library's (__libc_malloc), renamed in their objects, so none re-enters it;
# glibc exports malloc_usable_size under no other name: preload.c looks it up in libc.so.6.
PIC_FLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -fPIC -ftls-model=initial-exec -DALLOCLAB_PRELOAD \
             -D_GNU_SOURCE -Iallocators -I$(BUILD)/gen
PIC_OBJS := $(patsubst %.c,$(BUILD)/pic/%.o,$(wildcard allocators/*.c allocators/support/*.c)) \
            $(BUILD)/pic/gen/allocator_registry.o
LIBC_NAMES := malloc=__libc_malloc free=__libc_free calloc=__libc_calloc realloc=__libc_realloc \
              aligned_alloc=__libc_memalign \
              malloc_usable_size=alloclab_libc_usable_size
$(BUILD)/pic/%.o: %.c $(HEADERS) Makefile # LIBC_NAMES is here: a stale rename would make a call recurse
	@mkdir -p $(dir $@)
	$(CC) $(PIC_FLAGS) -c -o $@.tmp.o $<
	objcopy $(addprefix --redefine-sym ,$(LIBC_NAMES)) $@.tmp.o $@ && rm $@.tmp.o
$(BUILD)/pic/gen/allocator_registry.o: $(BUILD)/gen/allocator_registry.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(PIC_FLAGS) -c -o $@ $<
$(BUILD)/liballoclab.so: $(wildcard allocators/preload/*.c) $(PIC_OBJS) $(HEADERS)
	$(CC) $(PIC_FLAGS) -shared -Wl,-z,defs -o $@ $(filter-out %.h,$^) -ldl -lpthread -lm

# the programs workload's own program (program=server), and the programs the command-line tests run
# under liballoclab.so: never built with a sanitizer, since their malloc is whichever the run gives them
PROGRAM_FLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -pthread
$(BUILD)/alloclab-server: workloads/programs/server.c
	@mkdir -p $(dir $@)
	$(CC) $(PROGRAM_FLAGS) -o $@ $<
# alloclab misuse's tiny program: a misuse case on whichever malloc LD_PRELOAD gives it (runner/grader/probe/)
$(BUILD)/alloclab-misuse-probe: runner/grader/probe/misuse_probe.c runner/grader/misuse_cases.c runner/grader/misuse_cases.h
	@mkdir -p $(dir $@)
	$(CC) $(PROGRAM_FLAGS) -Irunner/grader -o $@ $(filter %.c,$^)
$(BUILD)/programs/%: tests/programs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(PROGRAM_FLAGS) -o $@ $< -ldl

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(FIXTURE_OBJS) $(BUILD)/liballoclab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# ---- Debian packages: install what is missing, or say how
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "alloclab needs these Debian packages (or your system's equivalents): $$missing" >&2; exit 1; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo=sudo; \
	else echo "missing packages; run: sudo apt-get install -y $$missing" >&2; exit 1; fi; \
	echo "installing: $$missing"; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null

test-deps:
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "not installed: $$missing (its test will be skipped)"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo=sudo; \
	else echo "not installed: $$missing (its test will be skipped; to run it: sudo apt-get install -y $$missing)"; exit 0; fi; \
	echo "installing for the tests: $$missing"; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null || \
	echo "could not install $$missing: its test will be skipped"

# ---- tests: unit tests (plain, ASan, UBSan, TSan), then the command line
unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; \
	TSAN_OPTIONS="suppressions=$(abspath tests/tsan.supp) $$TSAN_OPTIONS" $$t; done

bats: all
	@ALLOCLAB=$(abspath $(BUILD)/alloclab) bats --tap tests/bats | tee $(BUILD)/bats.tap; \
	status=$${PIPESTATUS[0]}; \
	awk '/^ok /{p++} /^not ok /{f++} END {printf "bats: %d passed, %d failed\n", p, f}' $(BUILD)/bats.tap; \
	exit $$status

test: deps test-deps
	$(MAKE) -j$(JOBS) unit
	$(MAKE) -j$(JOBS) SAN=address unit
	$(MAKE) -j$(JOBS) SAN=undefined unit
	$(MAKE) -j$(JOBS) SAN=thread unit
	$(MAKE) -j$(JOBS) bats

bench: deps all
	$(BUILD)/alloclab bench --profile $(PROFILE) $(if $(WORKLOAD),--workload $(WORKLOAD))

# a student's allocator, graded on every trace: make check ALLOC=mine
check: all
	@test -n "$(ALLOC)" || { echo "usage: make check ALLOC=<strategy> (see: build/alloclab list)" >&2; exit 2; }
	$(BUILD)/alloclab check --strategy $(ALLOC)

# the heap unit tests (alignment, sizes 0 and absurd, realloc, a million random
# operations against a shadow table, 4 threads with cross-thread frees) on one
# strategy: make check-heap ALLOC=mine
check-heap: $(BUILD)/tests/test_heap
	@test -n "$(ALLOC)" || { echo "usage: make check-heap ALLOC=<strategy> (see: build/alloclab list)" >&2; exit 2; }
	ALLOCLAB_ONLY=$(ALLOC) $(BUILD)/tests/test_heap

# a new strategy from the template: make new-allocator NAME=mine [FROM=uffd_cow]
new-allocator:
	@bash allocators/template/new-allocator.sh "$(NAME)" "$(FROM)"

# the README's tables of strategies, workloads, knobs and columns, from the code
docs: $(BUILD)/alloclab
	runner/gen-docs.sh $(BUILD)/alloclab README.md

clean:
	rm -rf build
