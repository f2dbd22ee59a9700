#!/usr/bin/env bash
# Times `kvet check` on the shared corpus (and on a 20x copy of it) and, when
# they are on PATH, the peer tools on the same input in the same run.
#
#   bench/compare.sh [CORPUS_DIR] [RUNS]
#
# Prints wall time (best of RUNS), files/s, MB/s and peak RSS per tool, and
# each peer's time as a ratio of kvet's.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
runs=${2:-5}
[ -d "$corpus" ] || { echo "corpus not found: $corpus" >&2; exit 2; }

cargo build --release --quiet
kvet=$PWD/target/release/kvet

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
big="$tmp/corpus-x20"
mkdir -p "$big"
for i in $(seq 1 20); do cp -r "$corpus" "$big/copy-$i"; done

count_files() { find "$1" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l; }
count_bytes() { find "$1" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | du -cb --files0-from=- | tail -1 | cut -f1; }

# measure NAME DIR CMD...: best wall time of $runs runs and its peak RSS.
measure() {
  local name=$1 dir=$2; shift 2
  local best="" rss=""
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -f "%e %M" -o "$tmp/rusage" "$@" >/dev/null 2>&1 || true
    local out t m
    out=$(tail -1 "$tmp/rusage")
    t=${out% *}; m=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  local files bytes
  files=$(count_files "$dir"); bytes=$(count_bytes "$dir")
  awk -v n="$name" -v t="$best" -v f="$files" -v b="$bytes" -v r="$rss" 'BEGIN{
    tt = (t > 0 ? t : 0.001);
    printf "%-34s %8.3f s %10.0f files/s %8.1f MB/s %8.1f MB RSS\n", n, t, f/tt, b/1e6/tt, r/1024 }'
  echo "$best" > "$tmp/time-$(echo "$name" | tr ' /' '__')"
}

echo "corpus: $corpus ($(count_files "$corpus") files, $(( $(count_bytes "$corpus") / 1000000 )) MB); best of $runs runs; $(nproc) cores"
echo
measure "kvet check (corpus)" "$corpus" "$kvet" check "$corpus" --format json --fail-on never
measure "kvet check (corpus x20)" "$big" "$kvet" check "$big" --format json --fail-on never
measure "kvet check --select yaml (parse only)" "$corpus" "$kvet" check "$corpus" --format json --fail-on never --select yaml

base=$(cat "$tmp/time-kvet_check_(corpus)")
# peer NAME BINARY CMD...: runs CMD when BINARY is on PATH.
peer() {
  local name=$1 bin=$2; shift 2
  if command -v "$bin" >/dev/null 2>&1; then
    measure "$name" "$corpus" "$@"
    local t; t=$(cat "$tmp/time-$(echo "$name" | tr ' /' '__')")
    awk -v n="$name" -v p="$t" -v k="$base" 'BEGIN{ printf "  -> %s takes %.1fx the time of kvet\n", n, p/(k>0?k:0.001) }'
  else
    echo "$name: not on PATH, skipped"
  fi
}
echo
peer "kubeconform -strict" kubeconform kubeconform -strict -summary -ignore-missing-schemas "$corpus"
peer "kube-linter lint" kube-linter kube-linter lint "$corpus"
peer "pluto detect-files" pluto pluto detect-files -d "$corpus"
peer "kube-score score" kube-score sh -c "find '$corpus' -name '*.yaml' -print0 | xargs -0 kube-score score"
