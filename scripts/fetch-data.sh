#!/usr/bin/env bash
# Fetches the demo data from Debian packages (the only network access helix's scripts make):
# human GRCh37 chromosome 20 (bgzip FASTA with its .fai/.gzi index) from `vt-examples`;
# 205 JASPAR vertebrate matrices (JASPAR pfm layout: `>MA0004.1 Arnt`, then rows A, C, G, T)
# from `r-bioc-pwmenrich`; 1,092 human (hg19 chr1) transcripts of 375 genes with their GTF
# (isoforms/example_isoform_nt.fasta.gz, isoforms/example.gtf.gz) from
# `r-bioc-isoformswitchanalyzer`; and Ensembl Compara EPO alignments of human chr22 with
# chimpanzee, gorilla and orangutan (orthologs/chr22.maf.gz, MAF; 9,627 blocks, 9,332 of them
# with gaps despite "nogap" in the package's file name) from
# `maffilter-examples`. The last two are IsoCLR's positive pairs (splice isoforms, orthologs).
# Usage: scripts/fetch-data.sh [DATA_DIR]   (default: data/). Idempotent; verifies checksums.
set -euo pipefail

data_dir=${1:-data}
mkdir -p "$data_dir/chr20" "$data_dir/motifs" "$data_dir/isoforms" "$data_dir/orthologs" \
  "$data_dir/.debs"
data_dir=$(cd "$data_dir" && pwd)

chr20="$data_dir/chr20/20.fa.gz"
chr20_md5=4498a28ce27a5ab21447f74eda17f706
jaspar="$data_dir/motifs/pfm_vertebrates.txt"
jaspar_md5=378529a644ccceb87d72f3204dda1d59
isoform_gtf="$data_dir/isoforms/example.gtf.gz"
isoform_gtf_md5=db7923b9f1e0e094224edb9ee5a26496
isoform_fasta="$data_dir/isoforms/example_isoform_nt.fasta.gz"
isoform_fasta_md5=1508f67e5d01c8695fdd101528219ece
orthologs="$data_dir/orthologs/chr22.maf.gz"
orthologs_md5=4f54f63e9c778c2ed021cef03f22d636

verify() {  # file md5
  [ -f "$1" ] && [ "$(md5sum "$1" | cut -d' ' -f1)" = "$2" ]
}

extract() {  # package path-inside-package destination
  local pkg=$1 inner=$2 dest=$3
  local deb
  deb=$(ls "$data_dir/.debs/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    echo "fetch-data: downloading Debian package $pkg" >&2
    (cd "$data_dir/.debs" && apt-get download "$pkg" >/dev/null) || {
      echo "fetch-data: 'apt-get download $pkg' failed (is the Debian package index reachable? try 'apt-get update')" >&2
      exit 1
    }
    deb=$(ls "$data_dir/.debs/${pkg}"_*.deb | head -n1)
  fi
  local tmp
  tmp=$(mktemp "$dest.XXXXXX")
  chmod 644 "$tmp"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "$inner" >"$tmp"
  mv "$tmp" "$dest"
}

if ! verify "$chr20" "$chr20_md5"; then
  prefix=./usr/share/doc/vt/examples/ref
  extract vt-examples "$prefix/20.fa.gz" "$chr20"
  if ! verify "$chr20" "$chr20_md5"; then
    echo "fetch-data: checksum mismatch for $chr20 (expected md5 $chr20_md5)" >&2
    rm -f "$chr20"
    exit 1
  fi
  extract vt-examples "$prefix/20.fa.gz.fai" "$chr20.fai"
  extract vt-examples "$prefix/20.fa.gz.gzi.gz" "$chr20.gzi.gz"
  gunzip -f "$chr20.gzi.gz"
fi
echo "fetch-data: chr20 ready at $chr20 (md5 $chr20_md5, indexed)" >&2

if ! verify "$jaspar" "$jaspar_md5"; then
  extract r-bioc-pwmenrich ./usr/lib/R/site-library/PWMEnrich/extdata/pfm_vertebrates.txt "$jaspar"
  if ! verify "$jaspar" "$jaspar_md5"; then
    echo "fetch-data: checksum mismatch for $jaspar (expected md5 $jaspar_md5)" >&2
    rm -f "$jaspar"
    exit 1
  fi
fi
echo "fetch-data: JASPAR vertebrate matrices ready at $jaspar (md5 $jaspar_md5)" >&2

# Single files: extract unless already present with the right checksum, then verify.
fetch_file() {  # package path-inside-package destination md5
  local pkg=$1 inner=$2 dest=$3 md5=$4
  if ! verify "$dest" "$md5"; then
    extract "$pkg" "$inner" "$dest"
    if ! verify "$dest" "$md5"; then
      echo "fetch-data: checksum mismatch for $dest (expected md5 $md5)" >&2
      rm -f "$dest"
      exit 1
    fi
  fi
}

isoform_prefix=./usr/lib/R/site-library/IsoformSwitchAnalyzeR/extdata
fetch_file r-bioc-isoformswitchanalyzer "$isoform_prefix/example.gtf.gz" "$isoform_gtf" \
  "$isoform_gtf_md5"
fetch_file r-bioc-isoformswitchanalyzer "$isoform_prefix/example_isoform_nt.fasta.gz" \
  "$isoform_fasta" "$isoform_fasta_md5"
echo "fetch-data: isoforms ready at $isoform_fasta and $isoform_gtf (md5 $isoform_fasta_md5, $isoform_gtf_md5)" >&2

fetch_file maffilter-examples \
  ./usr/share/doc/maffilter/examples/Gorilla/Compara.epo_5_catarrhini_hsap-projected.chr22.subset.nogap.cleaned_aln.maf.gz \
  "$orthologs" "$orthologs_md5"
echo "fetch-data: ortholog alignments ready at $orthologs (md5 $orthologs_md5)" >&2
