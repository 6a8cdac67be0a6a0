# The AMO directory: one GNU Makefile, pkg-config, no configure step.
# `make` builds bin/, `make run` imports data/ and serves it, `make test`
# runs every test, `make asan` the same under ASan+UBSan in build-asan/.

CC ?= cc
PKGS := sqlite3 jansson proj libcurl libmicrohttpd zlib libprotobuf-c
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wwrite-strings -Wvla -Wformat=2
WERROR ?= -Werror
OPT ?= -O2 -g
SAN ?=
BUILD ?= build
BIN ?= bin
DB ?= var/amo.db
# Where visitors' "signaler une erreur" links write to (make run
# REPORT_EMAIL=annuaire@example.org); unset, cards say to check instead.
REPORT_EMAIL ?=

# Debian packages the build, the tests and `make run` need. cmocka runs the
# unit tests; gdal-bin gives ogrinfo, the independent reader in tests.
DEB_PACKAGES := build-essential pkg-config sqlite3 libsqlite3-dev \
        libjansson-dev libproj-dev proj-data libcurl4-openssl-dev \
        libmicrohttpd-dev libcmocka-dev gdal-bin curl time bc \
        protobuf-c-compiler libprotobuf-c-dev zlib1g-dev libgeos-dev chromium \
        libstemmer-dev groff-base

# Each program links the libraries it uses (the importer no GEOS, the
# exporter no libmicrohttpd); pkg-config runs once per make.
IMPORT_PKGS := sqlite3 jansson proj libcurl
SERVER_PKGS := sqlite3 jansson libmicrohttpd zlib libprotobuf-c
EXPORT_PKGS := sqlite3 jansson zlib libprotobuf-c
pkg_libs = $(shell pkg-config --libs $(1) 2>/dev/null)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# GEOS (the basemap) has no .pc file in Debian 12: geos-config instead.
GEOS_CFLAGS := $(shell geos-config --cflags 2>/dev/null)
GEOS_LIBS := $(shell geos-config --clibs 2>/dev/null)
# Snowball's stemmers (libstemmer-dev) have no .pc file either.
STEM_LIBS := -lstemmer
IMPORT_LIBS := $(call pkg_libs,$(IMPORT_PKGS)) $(STEM_LIBS) -lm -pthread
SERVER_LIBS := $(call pkg_libs,$(SERVER_PKGS)) $(GEOS_LIBS) $(STEM_LIBS) \
        -lm -pthread
EXPORT_LIBS := $(call pkg_libs,$(EXPORT_PKGS)) $(GEOS_LIBS) -lm -pthread
ALL_LIBS := $(call pkg_libs,$(PKGS)) $(GEOS_LIBS) $(STEM_LIBS) -lm -pthread

# The caller's CFLAGS, CPPFLAGS and LDFLAGS (a packager's hardening
# flags, say) are appended to ours, never replaced; -MMD writes each
# object's header dependencies beside it.
# Debug information names sources relative to the checkout, so no binary
# holds this checkout's path (reproducible builds); every object takes it.
PREFIX_MAP := -ffile-prefix-map=$(CURDIR)=.
AMO_CFLAGS = -std=c11 $(OPT) $(SAN) $(WARN) $(WERROR) $(PKG_CFLAGS) \
        $(GEOS_CFLAGS) $(PREFIX_MAP) $(CFLAGS)
AMO_CPPFLAGS = -D_GNU_SOURCE -Ilib -Iimporter -Iserver -Iexport -Itests \
        -I$(BUILD)/gen -DAMO_DATA_DIR='"$(DATA_DIR)"' \
        -DAMO_WEB_DIR='"$(WEB_DIR)"' -DAMO_DB_PATH='"$(DB_PATH)"' \
        -MMD -MP $(CPPFLAGS)
AMO_LDFLAGS = $(SAN) $(LDFLAGS)
DATA_DIR ?= $(CURDIR)/data
WEB_DIR ?= $(CURDIR)/web
# The programs' default --db: relative in a checkout (make run's).
DB_PATH ?= var/amo.db

# lib/ is a static library: each program takes the objects it uses.
LIBAMO := $(BUILD)/libamo.a
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard lib/*.c)) \
        $(BUILD)/gen/vector_tile.pb-c.o
IMPORT_OBJ := $(patsubst %.c,$(BUILD)/%.o,\
        $(filter-out importer/main.c,$(wildcard importer/*.c)))
SERVER_OBJ := $(patsubst %.c,$(BUILD)/%.o,\
        $(filter-out server/main.c,$(wildcard server/*.c))) \
        $(BUILD)/gen/openapi_docs.o
EXPORT_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard export/*.c))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
PROGRAMS := $(BIN)/amo-import $(BIN)/amo-server $(BIN)/amo-export \
        $(BUILD)/bench/gen-listings $(BUILD)/bench/bench-basemap

.PHONY: FORCE install install-programs uninstall deb vendor all deps run import import-data test asan check-tests \
        bench-import bench-server bench-http bench-web bench-tiles fuzz fuzz-build faults soak \
        clean format format-check report coverage
all: $(PROGRAMS)

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@# node/npm for the web map and the tests' JavaScript readers (browser,
	@# PMTiles): Debian's, only when
	@# no npm is there (another node, e.g. nodesource's, is kept).
	@if ! command -v npm >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm; \
	fi

# The web map: MapLibre GL JS from npm (versions pinned by
# package-lock.json), copied into web/vendor/ (not in git) and served by
# amo-server like our own files; playwright-core and axe-core drive the
# browser tests. No CDN: the page loads nothing from another origin.
VENDOR := web/vendor/maplibre-gl.js web/vendor/maplibre-gl.css \
        web/vendor/LICENSE.txt
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR) &: node_modules/.package-lock.json
	@mkdir -p web/vendor
	cp node_modules/maplibre-gl/dist/maplibre-gl.js \
	  node_modules/maplibre-gl/dist/maplibre-gl.css \
	  node_modules/maplibre-gl/dist/LICENSE.txt web/vendor/

# Precompressed copies, which amo-server sends to clients that take gzip
# (static.c; a copy older than its file is ignored).
WEB_GZ := web/vendor/maplibre-gl.js.gz web/vendor/maplibre-gl.css.gz \
        web/app.js.gz web/app.css.gz web/sw.js.gz web/exit.js.gz
web/%.gz: web/%
	gzip -9 -n -k -f $<
# The page's script goes to gzip clients minified (terser, pinned in
# package.json): 9.0 KB compressed as written, 5.4 KB minified, on every
# phone's first visit. The same code; a client without gzip, or a reader
# of web/app.js, gets it as written.
web/app.js.gz: web/app.js node_modules/.package-lock.json
	node_modules/.bin/terser $< --compress --mangle --output $@.js
	gzip -9 -n -c $@.js > $@.tmp && mv $@.tmp $@ && rm -f $@.js

OPENAPI_JSON := server/openapi/api.json server/openapi/ogc.json
# The API reference page, from the OpenAPI descriptions (plain HTML, our
# own stylesheet, no script: nothing from another host).
web/api/index.html: server/openapi/reference.mjs $(OPENAPI_JSON)
	@echo "  GEN   $@"
	@node server/openapi/reference.mjs $(OPENAPI_JSON) > $@.tmp && mv $@.tmp $@

vendor: $(VENDOR) $(WEB_GZ) web/api/index.html

# The MVT protobuf code is generated from the specification's .proto file
# (protobuf-c), and compiled without our extra warnings: it is not ours.
$(BUILD)/gen/vector_tile.pb-c.c $(BUILD)/gen/vector_tile.pb-c.h: \
        lib/proto/vector_tile.proto
	@mkdir -p $(BUILD)/gen
	@echo "  PROTO $<"
	@protoc-c --c_out=$(BUILD)/gen --proto_path=lib/proto $<

# The API descriptions are compiled into amo-server (server/openapi.h
# says why): each JSON file as one C string.
$(BUILD)/gen/openapi_docs.c: $(OPENAPI_JSON)
	@mkdir -p $(BUILD)/gen
	@echo "  GEN   $@"
	@for f in $^; do \
	  printf 'const char openapi_%s_json[] =\n' $$(basename $$f .json); \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $$f; \
	  printf ';\n'; done > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/openapi_docs.o: $(BUILD)/gen/openapi_docs.c
	@echo "  CC    $<"
	@$(CC) -std=c11 $(OPT) $(SAN) $(PREFIX_MAP) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/vector_tile.pb-c.o: $(BUILD)/gen/vector_tile.pb-c.c
	@echo "  CC    $<"
	@$(CC) $(AMO_CPPFLAGS) -std=c11 $(OPT) $(SAN) $(PKG_CFLAGS) \
	  $(PREFIX_MAP) $(CFLAGS) \
	  -c -o $@ $<

# Sources that include the generated header wait for it (the first build
# has no .d files yet to say so).
$(BUILD)/lib/mvt.o $(BUILD)/server/tiles.o $(BUILD)/tests/test_basemap.o \
$(BUILD)/tests/fuzz/fuzz_request.o $(BUILD)/tests/fuzz/fuzz_mvt.o: \
        $(BUILD)/gen/vector_tile.pb-c.h

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(AMO_CPPFLAGS) $(AMO_CFLAGS) -c -o $@ $<

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

$(LIBAMO): $(LIB_OBJ)
	@echo "  AR    $@"
	@rm -f $@ && ar rcs $@ $^

$(BIN)/amo-import: $(BUILD)/importer/main.o $(IMPORT_OBJ) $(LIBAMO)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(IMPORT_LIBS)

$(BIN)/amo-server: $(BUILD)/server/main.o $(SERVER_OBJ) $(LIBAMO)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(SERVER_LIBS)

$(BIN)/amo-export: $(EXPORT_OBJ) $(LIBAMO)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(EXPORT_LIBS)

$(BUILD)/bench/gen-listings: $(BUILD)/bench/gen_listings.o $(LIBAMO)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(IMPORT_LIBS)

$(BUILD)/bench/bench-basemap: $(BUILD)/bench/bench_basemap.o $(LIBAMO)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(EXPORT_LIBS)

# The tests drive the importer's and the server's modules directly.
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/tests/support.o \
        $(BUILD)/tests/server_proc.o $(IMPORT_OBJ) $(SERVER_OBJ) $(LIBAMO)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(ALL_LIBS) -lcmocka

# Targets that install packages first re-enter make, so that pkg-config
# runs only once the -dev packages are there (a fresh machine has none).
import: deps
	@$(MAKE) --no-print-directory import-data

import-data: all vendor
	@mkdir -p $(dir $(DB))
	$(BIN)/amo-import --db $(DB) --prune $(wildcard data/listings/*.csv)

# What staff should complete next (a table; REPORT=csv for a spreadsheet).
REPORT ?= table
report: import
	@$(BIN)/amo-import --db $(DB) --report=$(REPORT)

# The coverage table of data/README.md, rewritten between its markers from
# the shipped listings (sources' ages measured today).
coverage: all
	@rm -f $(BUILD)/coverage.db*
	@$(BIN)/amo-import --quiet --db $(BUILD)/coverage.db $(wildcard data/listings/*.csv)
	@day=$$(date -u +%F); \
	table=$$($(BIN)/amo-import --db $(BUILD)/coverage.db --report=coverage --today $$day) && \
	awk -v day="$$day" -v table="$$table" ' \
	  /^<!-- coverage: amo-import/ { print "<!-- coverage: amo-import --report=coverage --today " day " -->"; print table; skip = 1; next } \
	  /^<!-- coverage: end -->/ { skip = 0 } !skip' data/README.md > data/README.md.tmp && \
	mv data/README.md.tmp data/README.md && echo "data/README.md: coverage table of $$day"

run: import
	@echo "serving $(DB) on http://localhost:8080/ (Ctrl-C stops it)"
	@$(BIN)/amo-server --db $(DB) --listen 127.0.0.1:8080 \
	  $(if $(REPORT_EMAIL),--report-email $(REPORT_EMAIL))

# Installing (GNU conventions: PREFIX, DESTDIR). The programs' default
# data and web directories are compiled in: the mains are compiled again
# in $(BUILD)/inst/ with the installed paths, so an installed program never
# refers to this checkout (tests/test_install.c checks). amo-server is in
# sbin/ and section 8: an operator's daemon, not a user's command.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/amo-annuaire
# The database's home whatever PREFIX is (Debian's /var/lib/PACKAGE).
STATEDIR ?= /var/lib/amo-annuaire
INST := $(BUILD)/inst
INST_PROGRAMS := $(INST)/amo-import $(INST)/amo-server $(INST)/amo-export
MAN_PAGES := docs/man/amo-import.1 docs/man/amo-export.1 docs/man/amo-server.8

# Rebuilt when SHAREDIR changes, not on every make install.
$(INST)/paths: FORCE
	@mkdir -p $(INST)
	@echo '$(SHAREDIR) $(STATEDIR)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
$(INST)/%.o: DATA_DIR = $(SHAREDIR)/data
$(INST)/%.o: WEB_DIR = $(SHAREDIR)/web
$(INST)/%.o: DB_PATH = $(STATEDIR)/amo.db
$(INST)/%.o: %.c $(INST)/paths
	@mkdir -p $(dir $@)
	@echo "  CC    $< (installed paths)"
	@$(CC) $(AMO_CPPFLAGS) $(AMO_CFLAGS) -c -o $@ $<
$(INST)/amo-import: $(INST)/importer/main.o $(IMPORT_OBJ) $(LIBAMO)
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(IMPORT_LIBS)
$(INST)/amo-server: $(INST)/server/main.o $(SERVER_OBJ) $(LIBAMO)
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(SERVER_LIBS)
$(INST)/amo-export: $(INST)/export/main.o \
        $(filter-out $(BUILD)/export/main.o,$(EXPORT_OBJ)) $(LIBAMO)
	@$(CC) $(AMO_LDFLAGS) -o $@ $^ $(EXPORT_LIBS)

# The page's files (MapLibre and the precompressed copies included; not
# web/icons/, the icons' source), the gazetteer, the situations and the
# shipped listings with their evidence (for a first import).
install-programs: $(INST_PROGRAMS)
install: install-programs vendor
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SHAREDIR)
	install -m 755 $(INST)/amo-import $(INST)/amo-export $(DESTDIR)$(BINDIR)/
	install -m 755 $(INST)/amo-server $(DESTDIR)$(SBINDIR)/
	install -m 644 docs/man/amo-import.1 docs/man/amo-export.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/man/amo-server.8 $(DESTDIR)$(MANDIR)/man8/
	@cd web && find . -type f ! -path './icons/*' | while read -r f; do \
	  install -D -p -m 644 "$$f" "$(DESTDIR)$(SHAREDIR)/web/$$f"; done
	@cd data && find . -type f | while read -r f; do \
	  install -D -p -m 644 "$$f" "$(DESTDIR)$(SHAREDIR)/data/$$f"; done
	@echo "installed under $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/amo-import $(DESTDIR)$(BINDIR)/amo-export \
	  $(DESTDIR)$(SBINDIR)/amo-server $(DESTDIR)$(MANDIR)/man1/amo-import.1 \
	  $(DESTDIR)$(MANDIR)/man1/amo-export.1 $(DESTDIR)$(MANDIR)/man8/amo-server.8
	rm -rf $(DESTDIR)$(SHAREDIR)

# The Debian package (debian/, debhelper), built from this checkout into
# ../ and checked by lintian; the tools are installed here, not by deps.
deb:
	@$(MAKE) --no-print-directory DEB_PACKAGES="debhelper devscripts lintian fakeroot" deps
	dpkg-buildpackage -us -uc -b
	lintian --fail-on error ../amo-annuaire_*_$$(dpkg --print-architecture).deb

# Unit and integration tests; prints "N passed, N failed" last.
check-tests: $(PROGRAMS) $(TEST_BIN) vendor
	@BIN=$(BIN) BUILD=$(BUILD) tests/run $(TEST_BIN)

test: deps
	@$(MAKE) --no-print-directory check-tests

# A sanitizer report in any process (tests or the programs they run) exits
# 86, which no test expects, so it fails the run.
asan: deps
	@ASAN_OPTIONS=exitcode=86:detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86 \
	$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/bin \
	  OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  check-tests

bench-import: deps
	@$(MAKE) --no-print-directory all
	bench/bench-import $(BUILD)/bench/gen-listings $(BIN)/amo-import

# wrk drives the server and nginx is the baseline: only the benchmark needs
# them, so they are installed here rather than by `make deps`.
bench-server: deps
	@$(MAKE) --no-print-directory DEB_PACKAGES="wrk nginx" deps all
	bench/bench-server $(BUILD)/bench/gen-listings $(BIN)/amo-import \
	  $(BIN)/amo-server

# libmicrohttpd's settings side by side (after bench-server, on its data).
bench-http: deps
	@$(MAKE) --no-print-directory DEB_PACKAGES="wrk" deps all
	bench/bench-http $(BIN)/amo-server

# Lighthouse on the page (npm, pinned in bench/lighthouse/, installed here
# only: make test never downloads it), on the shipped data.
bench-web: import vendor
	cd bench/lighthouse && npm ci --no-audit --no-fund --silent
	bench/bench-web $(BIN)/amo-server $(DB)

# GDAL (gdal-bin, from make deps) is the baseline; tippecanoe joins when
# installed (Debian 12 has no package for it).
bench-tiles: deps
	@$(MAKE) --no-print-directory all
	bench/bench-tiles $(BUILD)/bench/gen-listings $(BIN)/amo-import \
	  $(BIN)/amo-export

# libFuzzer targets (tests/fuzz/fuzz_T.c, seeds in tests/fuzz/T/), built
# with clang under ASan and UBSan in build-fuzz/; each runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all

$(BUILD)/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/fuzz.o \
        $(IMPORT_OBJ) $(SERVER_OBJ) $(LIBAMO)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(AMO_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(ALL_LIBS)

fuzz-build: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

fuzz: deps
	@$(MAKE) --no-print-directory DEB_PACKAGES="clang libclang-rt-14-dev" deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz BIN=build-fuzz/bin CC=clang \
	  OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-build
	@UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  tests/fuzz/run build-fuzz/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Faults under load (tests/faults.sh) and a soak of mixed traffic
# (tests/soak.sh, SOAK_SECONDS, default 600): wrk drives the real server.
faults: deps
	@$(MAKE) --no-print-directory DEB_PACKAGES="wrk" deps all
	tests/faults.sh $(BUILD)/bench/gen-listings $(BIN)/amo-import \
	  $(BIN)/amo-server

soak: deps
	@$(MAKE) --no-print-directory DEB_PACKAGES="wrk" deps all
	SOAK_SECONDS=$(or $(SOAK_SECONDS),600) tests/soak.sh \
	  $(BUILD)/bench/gen-listings $(BIN)/amo-import $(BIN)/amo-server

FORMAT_SRC = lib/*.[ch] importer/*.[ch] server/*.[ch] export/*.[ch] \
	  tests/*.[ch] tests/fuzz/*.[ch] bench/*.c
format:
	clang-format -i $(FORMAT_SRC)

# CI: the tree is as clang-format (Debian 12's, 14) writes it.
format-check: deps
	@$(MAKE) --no-print-directory DEB_PACKAGES="clang-format" deps
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "clang-format: ok"

clean:
	rm -rf build build-asan build-fuzz bin web/vendor
.SECONDARY:

# A prerequisite that is never up to date ($(INST)/paths compares itself).
FORCE:
