#!/usr/bin/env bash
# The main job, on real data: pretrain a small FinDNA encoder on human chr20 (held-out last 3 Mb
# for validation), then embed a few chr20 sequences with it.
# Usage: scripts/demo.sh HELIX DATA_DIR   (make demo passes build/helix and data)
set -euo pipefail
helix=${1:-build/helix}
data_dir=${2:-data}
out=runs/demo
genome="$data_dir/chr20/20.fa.gz"

echo "== helix demo: FinDNA pretraining on human chr20 (configs/findna-tiny.yaml)"
"$helix" pretrain --config configs/findna-tiny.yaml --out "$out" --force "data.genome=$genome"

# Four 500-nt sequences from the held-out region, as FASTA, for the embedding step.
seqs="$out/demo_sequences.fa"
# (head closes the pipe early, so the upstream commands end on SIGPIPE: no pipefail here.)
(
  set +o pipefail
  zcat "$genome" | tail -n +2 | tr -d '\n' | head -c 61000000 | tail -c 2000 |
    fold -w 500 | awk '{print ">chr20_heldout_" NR; print}' >"$seqs"
)
[ "$(grep -c '^>' "$seqs")" -eq 4 ] || { echo "demo: could not extract sequences from $genome" >&2; exit 1; }

"$helix" embed --encoder "$out/encoder.safetensors" --input "$seqs" --out "$out/embeddings.npy"

last_val=$(grep val_mlm_acc "$out/metrics.jsonl" | tail -n 1)
field() { printf '%s' "$last_val" | grep -o "\"$1\":[-0-9.e]*" | cut -d: -f2 | cut -c1-6; }
echo
echo "== done. Outputs in $out/:"
echo "   config.yaml          the resolved config"
echo "   metrics.jsonl        training and validation metrics per logged step"
echo "   checkpoints/         resumable checkpoints (helix pretrain --out $out --resume)"
echo "   encoder.safetensors  the pretrained (teacher) encoder"
echo "   embeddings.npy       float32 [4, D] embeddings of $seqs"
echo "   held-out masked-nucleotide accuracy at the last step: $(field val_mlm_acc)" \
  "(always predicting the most frequent base: $(field val_majority_acc))"
