#!/usr/bin/env bash
# Fetches the demo data from Debian packages (the only network access helix's scripts make):
# human GRCh37 chromosome 20 (bgzip FASTA with its .fai/.gzi index) from `vt-examples`, and
# 205 JASPAR vertebrate matrices (JASPAR pfm layout: `>MA0004.1 Arnt`, then rows A, C, G, T)
# from `r-bioc-pwmenrich`.
# Usage: scripts/fetch-data.sh [DATA_DIR]   (default: data/). Idempotent; verifies checksums.
set -euo pipefail

data_dir=${1:-data}
mkdir -p "$data_dir/chr20" "$data_dir/motifs" "$data_dir/.debs"
data_dir=$(cd "$data_dir" && pwd)

chr20="$data_dir/chr20/20.fa.gz"
chr20_md5=4498a28ce27a5ab21447f74eda17f706
jaspar="$data_dir/motifs/pfm_vertebrates.txt"
jaspar_md5=378529a644ccceb87d72f3204dda1d59

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
