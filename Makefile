# walviz: plain Makefile. `make V=1` shows the commands.
# User CFLAGS/LDFLAGS are honoured; the project's own flags live in WV_*.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
CLANG   ?= clang
FUZZ_SECONDS ?= 300      # each fuzz target, in make fuzz
CHECK_FUZZ_SECONDS ?= 15 # each fuzz target, in make check

PKGS := libpq sdl2 SDL2_ttf SDL2_image x11
WV_CPPFLAGS := -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
               -DWV_DATADIR='"$(PREFIX)/share/walviz"'
WV_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
             -Wstrict-prototypes -Wvla -g -O2 -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Each edge sees only its own library's headers, the core neither: an
# SDL or libpq include in the wrong layer is a build error.
PG_CFLAGS = $(shell pkg-config --cflags libpq 2>/dev/null)
WINDOW_CFLAGS = $(shell pkg-config --cflags sdl2 SDL2_ttf SDL2_image x11 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The layers, a folder each (see src/*/README.md):
#  - src/core: pure (no SDL, no libpq, no clock): decode, recording format,
#    simulation, rows, timeline, scene, layout, theme, keys, controller;
#  - src/pg: the PostgreSQL edge (libpq, the demo's private clusters);
#  - src/window: the SDL edge (executes the scene, reads input);
#  - src/cmd: the commands, which wire the others together.
CORE_SRCS := $(wildcard src/core/*.c)
PG_SRCS := $(wildcard src/pg/*.c)
WINDOW_SRCS := $(wildcard src/window/*.c)
CMD_SRCS := $(filter-out src/cmd/web_main.c,$(wildcard src/cmd/*.c))
EDGE_SRCS := $(PG_SRCS) $(WINDOW_SRCS) $(CMD_SRCS)

CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
EDGE_OBJS := $(EDGE_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

.DELETE_ON_ERROR:
.PHONY: all check check-asan unit integration fuzz fuzz-build bench soak demo samples lesson-pictures install clean deps deps-demo

all: $(BUILD)/walviz

$(BUILD)/walviz: $(EDGE_OBJS) $(CORE_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm $(LDLIBS)

$(BUILD)/src/core/%.o: LAYER_CFLAGS :=
$(BUILD)/src/pg/%.o: LAYER_CFLAGS = $(PG_CFLAGS)
$(BUILD)/src/window/%.o: LAYER_CFLAGS = $(WINDOW_CFLAGS)
LAYER_CFLAGS ?= $(PKG_CFLAGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(WV_CPPFLAGS) $(CPPFLAGS) $(WV_CFLAGS) $(LAYER_CFLAGS) $(CFLAGS) -c -o $@ $<

# Tests link the core, and the renderer for the headless pixel tests.
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(CORE_OBJS) $(BUILD)/src/window/render.o
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(WV_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS) -lm $(LDLIBS)

# The render bench counts every message parse: the linker routes the
# decoder's two entry points through it.
$(BUILD)/tests/bench/bench_render: WV_LDFLAGS := -Wl,--wrap=wv_decode_message -Wl,--wrap=wv_decode_line

# Every test: unit tests, then the end-to-end tests against a throwaway
# PostgreSQL, then a bounded fuzz run. tests/run prints one summary.
check: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_BINS)
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) tests/run

check-asan: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
	    CFLAGS="-O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" CHECK_FUZZ_SECONDS=0 check

unit: all $(TEST_BINS)
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=0 WV_ONLY=unit tests/run

# libFuzzer targets, each over the core with ASan and UBSan: the decoder,
# the reader (with a small-read twin as its oracle), the simulation options,
# the simulation over a fuzzed stream. Each runs FUZZ_SECONDS from its seed
# corpus tests/fuzz/corpus-NAME; any UBSan report stops a run.
FUZZ_TARGETS := decode reader sim_opts sim
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)

FUZZ_CFLAGS := -std=c11 -g -O1 -MMD -MP
FUZZ_OBJS := $(CORE_SRCS:%.c=$(BUILD)/fuzz-obj/%.o)
.SECONDARY: $(FUZZ_OBJS)

$(BUILD)/fuzz-obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CLANG) $(WV_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(WV_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ \
	    $(filter %.c %.o,$^) -lm

fuzz-build: $(FUZZ_BINS)

fuzz: deps $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz-corpus/$$t && \
	    echo "fuzz_$$t: $(FUZZ_SECONDS) s" && \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $(BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
	        -print_final_stats=1 $(BUILD)/fuzz-corpus/$$t tests/fuzz/corpus-$$t || exit 1; \
	done

bench: deps all
	$(Q)BUILD=$(BUILD) tests/bench/run
	$(Q)if [ -f $(WEB_SITE)/walviz.wasm ]; then $(MAKE) --no-print-directory web-bench; \
	    else echo "web: no browser build here (make web), so no web numbers"; fi

# Ten minutes of live --record with a fault a minute (SOAK_SECONDS,
# FAULT_EVERY); not part of make check.
soak: deps all
	$(Q)WALVIZ=$(CURDIR)/$(BUILD)/walviz tests/soak/run

demo: deps-demo all
	$(Q)$(BUILD)/walviz demo

# Records sample-data/*.wvr again from a throwaway server.
samples: deps all
	$(Q)WALVIZ=$(CURDIR)/$(BUILD)/walviz scripts/make-samples

# The README's picture of each lesson: LESSON:STEP, the step that says it best.
LESSON_PICTURES := a-change-travels:4 a-transfer-is-atomic:5 synchronous-commit:4 bulk-load:6 stale-reads:4 failover:3 sharding:4 real-nodes:3
lesson-pictures: all
	$(Q)mkdir -p docs/lessons
	$(Q)for p in $(LESSON_PICTURES); do \
	    $(BUILD)/walviz lesson sample-data/lessons/$${p%:*}.lesson --step $${p#*:} \
	        --size 1024x768 --screenshot docs/lessons/$${p%:*}.png || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/walviz
	install -m 755 $(BUILD)/walviz $(DESTDIR)$(PREFIX)/bin/walviz
	cp -R assets/. $(DESTDIR)$(PREFIX)/share/walviz/
	install -d $(DESTDIR)$(PREFIX)/share/walviz/sample-data
	install -m 644 sample-data/*.wvr $(DESTDIR)$(PREFIX)/share/walviz/sample-data/
	install -d $(DESTDIR)$(PREFIX)/share/walviz/sample-data/lessons
	install -m 644 sample-data/lessons/*.lesson $(DESTDIR)$(PREFIX)/share/walviz/sample-data/lessons/

clean:
	rm -rf build build-asan

deps:
	$(Q)scripts/deps

deps-demo:
	$(Q)scripts/deps --demo

# The browser build (emscripten): the replay path of the same lists, less
# the libpq edge: the core, render*/ui*, the recording loader and the replay
# options; src/cmd/web_main.c in place of main.c. SDL2, SDL2_ttf and FreeType
# come from Debian's source packages, built once into $(WEB)/libs.
.PHONY: web web-site web-serve web-check web-bench deps-web deps-web-check
# emcc runs node: Debian's modules when the node on PATH is another one.
EMCC ?= env NODE_PATH=$${NODE_PATH:-/usr/share/nodejs} emcc
WEB := $(BUILD)/web
WEB_SITE := $(WEB)/site
WEB_PORT ?= 8000
WEB_SRCS := $(CORE_SRCS) $(WINDOW_SRCS) src/cmd/clock.c src/cmd/cli_simulate.c src/cmd/cli_replay.c \
            src/cmd/cli_lesson.c src/cmd/web_main.c
WEB_OBJS := $(WEB_SRCS:%.c=$(WEB)/obj/%.o)
WEB_LIBS := $(WEB)/libs/lib/.built
WEB_CFLAGS := $(filter-out -g -O2,$(WV_CFLAGS)) -O2
WEB_LDFLAGS := -O2 -sASYNCIFY -sASYNCIFY_IMPORTS=wv_ui_browser_frame -sASYNCIFY_STACK_SIZE=65536 \
               -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=web \
               -sEXPORTED_FUNCTIONS=_main,_wv_web_open -sEXPORTED_RUNTIME_METHODS=FS,ccall \
               --preload-file assets/fonts@/assets/fonts
WEB_PAGE := $(addprefix $(WEB_SITE)/,index.html walviz-page.js walviz-page.css)
# The packages first, then the build (so that make -j2 never compiles
# before emcc is there, nor runs two apt-get at once).
web: deps-web
	$(Q)$(MAKE) --no-print-directory web-site

web-site: $(WEB_SITE)/walviz.js $(WEB_PAGE) $(WEB_SITE)/samples/.copied $(WEB_SITE)/samples/lessons/.copied
	@:

$(WEB_LIBS): scripts/web-libs
	$(Q)rm -f $@ && scripts/web-libs $(WEB)/libs

$(WEB)/obj/%.o: %.c | $(WEB_LIBS)
	@mkdir -p $(dir $@)
	@echo "  EMCC    $<"
	$(Q)$(EMCC) $(WV_CPPFLAGS) -Iweb/include -I$(WEB)/libs/include $(WEB_CFLAGS) -c -o $@ $<

$(WEB_SITE)/walviz.js: $(WEB_OBJS) $(WEB_LIBS) $(wildcard assets/fonts/*) Makefile
	@mkdir -p $(dir $@)
	@echo "  EMLD    $@"
	$(Q)$(EMCC) $(WEB_LDFLAGS) -o $@ $(WEB_OBJS) -L$(WEB)/libs/lib -lSDL2_ttf -lfreetype -lSDL2

$(WEB_SITE)/%: web/%
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

# The samples and the table saying what each teaches (the page reads it).
$(WEB_SITE)/samples/.copied: sample-data/README.md $(wildcard sample-data/*.wvr)
	@mkdir -p $(dir $@)
	$(Q)cp $^ $(dir $@) && touch $@

# The lessons, and their names in index.txt (the page lists them).
$(WEB_SITE)/samples/lessons/.copied: $(wildcard sample-data/lessons/*.lesson)
	@mkdir -p $(dir $@)
	$(Q)cp $^ $(dir $@) && (cd $(dir $@) && ls *.lesson > index.txt) && touch $@

web-serve: web
	$(Q)node web/serve.js $(WEB_SITE) $(WEB_PORT)

# Headless Chromium plays the page: see web/check.js.
web-check: deps-web-check
	$(Q)$(MAKE) --no-print-directory web-site
	$(Q)node web/check.js $(WEB_SITE) $(WEB)/check

web-bench: deps-web-check
	$(Q)$(MAKE) --no-print-directory web-site
	$(Q)node web/check.js --bench $(WEB_SITE) $(WEB)/check

deps-web:
	$(Q)scripts/deps --web

deps-web-check:
	$(Q)scripts/deps --web-check

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
