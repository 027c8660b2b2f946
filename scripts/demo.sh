#!/usr/bin/env bash
# The main job, on real data: pretrain a small FinDNA encoder on human chr20 (held-out last 3 Mb
# for validation), then embed a few chr20 sequences with it. Pretrain an IsoCLR RNA encoder on real
# human isoforms and primate orthologs for a few minutes. Then interpret a CNN: train one to
# find CTCF sites planted in chr20 sequence and let NeuronMotif name what its first layer learned
# by matching to the JASPAR matrices fetched from Debian.
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

# IsoCLR: contrastive pretraining on real human splice isoforms (IsoformSwitchAnalyzeR) and
# primate chr22 ortholog windows (maffilter), both fetched from Debian; a short run.
iso="$out/isoclr"
echo
echo "== IsoCLR: contrastive pretraining on human isoforms and primate orthologs (configs/isoclr-tiny.yaml)"
"$helix" pretrain --config configs/isoclr-tiny.yaml --out "$iso" --force train.steps=120 \
  train.val_every=60 train.checkpoint_every=60 \
  "data.transcripts=$data_dir/isoforms/example_isoform_nt.fasta.gz" \
  "data.gtf=$data_dir/isoforms/example.gtf.gz" "data.maf=$data_dir/orthologs/chr22.maf.gz"
iso_val=$(grep val_top1 "$iso/metrics.jsonl" | tail -n 1)
iso_field() { printf '%s' "$iso_val" | grep -o "\"$1\":[-0-9.e]*" | cut -d: -f2 | cut -c1-6; }
echo "   held-out: $(iso_field val_pairs) pairs; the own partner is the closest of the 64 in its" \
  "batch in $(iso_field val_top1) of cases (isoforms: $(iso_field val_top1_splice), orthologs:" \
  "$(iso_field val_top1_ortho)); embedding cosine of partners $(iso_field val_positive_cosine)," \
  "of shuffled pairs $(iso_field val_shuffled_cosine)"
echo "   encoder: $iso/encoder.safetensors (6 tracks; helix embed, probe and finetune take it)"

# NeuronMotif: 4,000 windows of 60 bp from chr20 (no N); half get a CTCF site drawn from its
# JASPAR matrix (MA0139.1) at a random position. A CNN learns to find them, and NeuronMotif
# explains its first-layer neurons as motifs matched against the 205 JASPAR matrices.
jaspar="$data_dir/motifs/pfm_vertebrates.txt"
nm="$out/neuronmotif"
mkdir -p "$nm"
(
  set +o pipefail
  zcat "$genome" | tail -n +2 | tr -d '\n' | head -c 40000000 | tail -c 2000000 | tr 'acgt' 'ACGT'
) | awk -v matrix="$jaspar" -v dir="$nm" '
  BEGIN {
    srand(7)
    while ((getline line < matrix) > 0) {
      if (line ~ /^>/) { on = (line ~ /MA0139.1/); row = 0; continue }
      if (on && row < 4) { n = split(line, f, /[ \t]+/); w = 0
        for (i = 1; i <= n; ++i) if (f[i] != "") { w++; count[row, w] = f[i] } width = w; row++ }
    }
    for (c = 1; c <= width; ++c) total[c] = count[0, c] + count[1, c] + count[2, c] + count[3, c]
    split("A C G T", base, " ")
    print "sequence,label" > (dir "/train.csv"); print "sequence,label" > (dir "/dev.csv")
  }
  function site(   s, c, r, u, acc) {
    s = ""
    for (c = 1; c <= width; ++c) { u = rand() * total[c]; acc = 0
      for (r = 0; r < 4; ++r) { acc += count[r, c]; if (u < acc || r == 3) { s = s base[r + 1]; break } } }
    return s
  }
  { genome = genome $0 }
  END {
    made = 0
    for (start = 1; made < 4000 && start + 60 <= length(genome); start += 60) {
      w = substr(genome, start, 60)
      if (w !~ /^[ACGT]+$/) continue
      label = made % 2
      if (label) { p = int(rand() * (60 - width + 1)); w = substr(w, 1, p) site() substr(w, p + width + 1) }
      print w "," label > (dir "/" (made < 3200 ? "train" : "dev") ".csv")
      made++
    }
  }'
echo
echo "== NeuronMotif: a CNN trained to find CTCF sites planted in chr20, explained by its neurons"
"$helix" finetune --encoder none --model configs/cnn-neuronmotif-demo.yaml --force \
  --train "$nm/train.csv" --dev "$nm/dev.csv" --out "$nm/cnn" finetune.epochs=6 finetune.lr=3e-3
"$helix" neuronmotif --model "$nm/cnn/model.safetensors" --layer 1 --motifs "$jaspar" \
  --out "$nm" --max-generations 40 --force
echo
echo "== done. First-layer neurons of the CNN and their best JASPAR match (q-value):"
awk -F'\t' 'NR > 1 { printf "   neuron %-3s %-10s %s\n", $1, ($10 == "" ? "-" : $10), $11 }' \
  "$nm/layer_1/neurons.tsv"
echo "   report: $nm/layer_1/report.html (open in a browser; no network needed)"
