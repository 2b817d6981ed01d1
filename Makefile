# ikegw — top-level build.
#
# Non-recursive: every library is the wildcard of its folder, so adding a .c
# file to db/, pki/, webapp/ or engine/ needs no edit here.  Programs are the
# files named in *_MAINS; every tests/unit/test_*.c is one cmocka binary.
#
#   make            build every program (build/bin/)
#   make run        install what is missing, build, start nginx + ikegw-web + ikegwd
#   make stop       stop what `make run` started
#   make test       install what is missing, build, run every test suite
#   make bench      benchmarks against strongSwan (prints ratios)
#   make fuzz       run the libFuzzer targets for a while (FUZZ_SECONDS each)

SHELL := /bin/bash
.DEFAULT_GOAL := all

B    ?= build
SAN  ?= 0
FUZZ ?= 0
ifeq ($(origin CC),default)
CC := gcc
endif

# ---------------------------------------------------------------- packages
# Debian packages the build, `make run` and `make test` need.  `make deps`
# installs whichever are missing; nothing is ever installed by hand.
DEB_BUILD   := gcc make pkg-config clang libclang-rt-14-dev
DEB_LIBS    := libfcgi-dev libjansson-dev libsqlite3-dev libssl-dev libcrypt-dev \
               libcurl4-openssl-dev libevent-dev libmnl-dev libnftables-dev libcmocka-dev
DEB_RUNTIME := nginx-light sqlite3 openssl nftables iproute2 curl procps passwd util-linux
DEB_TEST    := strongswan-charon strongswan-swanctl charon-cmd strongswan-pki \
               libcharon-extra-plugins libcharon-extauth-plugins libstrongswan-standard-plugins iperf3 \
               netcat-openbsd \
               iputils-ping \
               chromium fonts-dejavu-core
DEB_PKGS    := $(DEB_BUILD) $(DEB_LIBS) $(DEB_RUNTIME) $(DEB_TEST)

# ---------------------------------------------------------------- flags
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wpointer-arith \
        -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS_ALL := -I. -D_GNU_SOURCE -MMD -MP
CFLAGS_ALL   := -std=gnu11 -g $(WARN) -fstack-protector-strong -fno-strict-aliasing
LDFLAGS_ALL  :=

ifeq ($(SAN),1)
CFLAGS_ALL  += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
               -include tests/san_wipe.h
LDFLAGS_ALL += -fsanitize=address,undefined
else ifeq ($(FUZZ),1)
CFLAGS_ALL  += -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all -DIKEGW_FUZZ=1 -include tests/san_wipe.h
LDFLAGS_ALL += -fsanitize=address,undefined
else
CFLAGS_ALL   += -O2
CPPFLAGS_ALL += -D_FORTIFY_SOURCE=2
endif
CFLAGS_ALL += $(CFLAGS)
LDFLAGS_ALL += $(LDFLAGS)

pc = $(shell pkg-config --libs $(1) 2>/dev/null)
LIBS_DB     := $(call pc,sqlite3)
LIBS_PKI    := $(call pc,libssl libcrypto) $(call pc,libcurl) $(call pc,jansson) \
               $(call pc,libcrypt) -lcrypt
LIBS_WEB    := -lfcgi $(call pc,jansson)
LIBS_ENGINE := $(call pc,jansson) $(call pc,libevent) $(call pc,libmnl) $(call pc,libnftables)
LIBS_TEST   := $(call pc,cmocka) $(call pc,libcurl)

# ---------------------------------------------------------------- sources
WEB_MAINS    := webapp/main.c
ENGINE_MAINS := engine/ikegwd.c engine/ikegwctl.c

DB_SRCS     := $(sort $(wildcard db/*.c))
PKI_SRCS    := $(sort $(wildcard pki/*.c))
WEB_SRCS    := $(filter-out $(WEB_MAINS),$(sort $(wildcard webapp/*.c)))
ENGINE_SRCS := $(filter-out $(ENGINE_MAINS),$(sort $(wildcard engine/*.c engine/*/*.c)))

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

LIB_DB     := $(B)/lib/libikegw_db.a
LIB_PKI    := $(B)/lib/libikegw_pki.a
LIB_WEB    := $(B)/lib/libikegw_web.a
LIB_ENGINE := $(B)/lib/libikegw_engine.a
ALL_LIBS   := $(LIB_WEB) $(LIB_ENGINE) $(LIB_PKI) $(LIB_DB)
ALL_SYSLIBS := $(LIBS_WEB) $(LIBS_ENGINE) $(LIBS_PKI) $(LIBS_DB)

PROGS := $(B)/bin/ikegw-web
ifneq ($(wildcard engine/ikegwd.c),)
PROGS += $(B)/bin/ikegwd
endif
ifneq ($(wildcard engine/ikegwctl.c),)
PROGS += $(B)/bin/ikegwctl
endif

UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRCS))
HTTP_SRCS  := $(sort $(wildcard tests/http/test_*.c))
HTTP_BINS  := $(patsubst tests/http/%.c,$(B)/tests/http/%,$(HTTP_SRCS))
HTTP_LIB   := $(filter-out $(HTTP_SRCS),$(wildcard tests/http/*.c))
FUZZ_SRCS  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(B)/tests/fuzz/%,$(FUZZ_SRCS))
TOOL_SRCS  := $(sort $(wildcard tests/pki/*.c))
TOOL_BINS  := $(patsubst tests/pki/%.c,$(B)/tests/pki/%,$(TOOL_SRCS))
ITEST_SRCS := $(sort $(wildcard tests/integration/*.c))
ITEST_BINS := $(patsubst tests/integration/%.c,$(B)/tests/integration/%,$(ITEST_SRCS))
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRCS))

# ---------------------------------------------------------------- rules
# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

.PHONY: all deps run stop test unit unit-run http e2e integration fuzz fuzz-build \
        fuzz-smoke bench clean

# Keep objects of test programs (they are intermediate files otherwise).
.SECONDARY:

all: $(PROGS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c -o $@ $<

$(LIB_DB): $(call obj,$(DB_SRCS))
$(LIB_PKI): $(call obj,$(PKI_SRCS))
$(LIB_WEB): $(call obj,$(WEB_SRCS))
$(LIB_ENGINE): $(call obj,$(ENGINE_SRCS))
$(ALL_LIBS):
	@mkdir -p $(@D)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^ $(if $^,,$(B)/obj/empty.o)

# An archive with no members is still a valid archive for the linker.
$(B)/obj/empty.o:
	@mkdir -p $(@D)
	$(Q)echo 'extern int ikegw_empty_unit; int ikegw_empty_unit;' | $(CC) -x c -c -o $@ -
$(ALL_LIBS): | $(B)/obj/empty.o

$(B)/bin/ikegw-web: $(call obj,webapp/main.c) $(LIB_WEB) $(LIB_PKI) $(LIB_DB)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(call obj,webapp/main.c) $(LIB_WEB) $(LIB_PKI) $(LIB_DB) \
		$(LIBS_WEB) $(LIBS_PKI) $(LIBS_DB)

$(B)/bin/ikegwd $(B)/bin/ikegwctl: $(B)/bin/%: $(B)/obj/engine/%.o $(LIB_ENGINE) $(LIB_PKI)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB_ENGINE) $(LIB_PKI) $(LIBS_ENGINE) $(LIBS_PKI)

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< -Wl,--start-group $(ALL_LIBS) -Wl,--end-group \
		$(ALL_SYSLIBS) $(LIBS_TEST)

$(B)/tests/http/%: $(B)/obj/tests/http/%.o $(call obj,$(HTTP_LIB)) $(ALL_LIBS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(call obj,$(HTTP_LIB)) -Wl,--start-group $(ALL_LIBS) \
		-Wl,--end-group $(ALL_SYSLIBS) $(LIBS_TEST)

$(B)/tests/pki/%: $(B)/obj/tests/pki/%.o $(LIB_PKI)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB_PKI) $(LIBS_PKI)

# Helper programs of the namespace tests (tests/integration/*.c), on the engine.
$(B)/tests/integration/%: $(B)/obj/tests/integration/%.o $(LIB_ENGINE) $(LIB_PKI)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< -Wl,--start-group $(LIB_ENGINE) $(LIB_PKI) -Wl,--end-group \
		$(LIBS_ENGINE) $(LIBS_PKI)

$(B)/bench/%: $(B)/obj/bench/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< -Wl,--start-group $(ALL_LIBS) -Wl,--end-group $(ALL_SYSLIBS)

$(B)/tests/fuzz/%: $(B)/obj/tests/fuzz/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $< -Wl,--start-group $(ALL_LIBS) \
		-Wl,--end-group $(ALL_SYSLIBS)

unit: $(UNIT_BINS)
unit-run: unit
	@tests/unit/run.sh $(B)/tests/unit $(UNIT_BINS)

# ---------------------------------------------------------------- the two commands
deps:
	@.ci/deps.sh $(DEB_PKGS)

run: deps
	$(MAKE) all
	webapp/stack.sh start

stop:
	webapp/stack.sh stop

test: deps
	$(MAKE) all unit $(HTTP_BINS) $(TOOL_BINS) $(ITEST_BINS) $(BENCH_BINS)
	$(MAKE) B=build/san SAN=1 unit build/san/bin/ikegwd build/san/bin/ikegwctl build/san/bin/ikegw-web
	$(MAKE) B=build/fuzz CC=clang FUZZ=1 fuzz-build
	tests/run.sh

fuzz-build: $(FUZZ_BINS)

FUZZ_SECONDS ?= 300
fuzz:
	$(MAKE) B=build/fuzz CC=clang FUZZ=1 fuzz-build
	tests/fuzz/run.sh build/fuzz/tests/fuzz $(FUZZ_SECONDS)

bench: deps
	$(MAKE) all $(BENCH_BINS)
	bench/run.sh

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
