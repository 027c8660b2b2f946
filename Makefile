# helix: `make demo` runs the main job, `make test` builds and runs every test.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
HELIX := $(BUILD_DIR)/helix
DATA_DIR ?= data

.PHONY: all deps configure build test demo bench bench-gue bench-neuronmotif bench-rna fetch-data format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

fetch-data: deps
	@bash scripts/fetch-data.sh $(DATA_DIR)

demo: build fetch-data
	@bash scripts/demo.sh $(HELIX) $(DATA_DIR)

bench: build
	@bash scripts/bench.sh $(BUILD_DIR)

# The GUE benchmark for one encoder (ENCODER=path; default runs/chr20-tiny/encoder.safetensors,
# made by `helix pretrain`); writes docs/benchmarks/gue.md. Skips without ../shared/data/gue.
ENCODER ?= runs/chr20-tiny/encoder.safetensors
bench-gue: build
	@BUILD_DIR=$(BUILD_DIR) bash scripts/bench-gue.sh $(ENCODER)

# NeuronMotif on CNNs trained on GUE TF tasks (TASKS="tf_0 tf_1"); writes
# docs/benchmarks/neuronmotif.md. Skips without ../shared/data.
bench-neuronmotif: build
	@BUILD_DIR=$(BUILD_DIR) bash scripts/bench-neuronmotif.sh

# Linear probes with low-data curves on the Siegel 2022 3'UTR MPRA (../shared/data/rna) for an
# IsoCLR encoder (RNA_ENCODER; default runs/isoclr/encoder.safetensors, made by
# `helix pretrain --config configs/isoclr-tiny.yaml --out runs/isoclr`); writes
# docs/benchmarks/rna.md. Skips without the data.
RNA_ENCODER ?= runs/isoclr/encoder.safetensors
bench-rna: build
	@BUILD_DIR=$(BUILD_DIR) bash scripts/bench-rna.sh $(RNA_ENCODER)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR)
