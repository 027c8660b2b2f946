#!/usr/bin/env bash
# `make bench`: speed benchmarks, one JSON object per line on stdout (also saved to
# BUILD_DIR/bench.jsonl). Run on an otherwise idle machine: figures are wall-clock.
set -euo pipefail
build_dir=${1:-build}
{
  "$build_dir/pretrain_throughput"
  "$build_dir/isoclr_throughput"
  "$build_dir/embed_throughput"
  "$build_dir/probe_fit"
  "$build_dir/tomtom_all_vs_all"
  "$build_dir/neuronmotif_speed"
} | tee "$build_dir/bench.jsonl"
