# closeloop: the two commands a new machine needs are `make run` and `make test`.
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
DATA       ?= ./data
HTTP       ?= 127.0.0.1:8080
CTEST_ARGS ?=

.PHONY: all deps configure build run test bench bench-scaling format format-check clean

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/app/closeloop serve --demo --data $(DATA) --http $(HTTP)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Builds only what the suite runs (a full build costs ~5 minutes of both cores).
BENCH_TARGETS ?= engine_bench pg_bench log_bench calendar_bench dsl_bench http_bench
bench: configure
	@cmake --build $(BUILD) -j $(JOBS) --target $(BENCH_TARGETS)
	bash bench/run.sh $(BUILD)

# The scaling curve (10^4..10^6 events by default; SCALING_EVENTS="10000 ... 10000000"),
# hours at the top end: docs/performance.md says which points were measured.
bench-scaling: configure
	@cmake --build $(BUILD) -j $(JOBS) --target engine_bench pg_bench
	bash bench/scaling.sh $(BUILD)

FORMAT_FILES = $(shell git ls-files '*.h' '*.cc')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)
