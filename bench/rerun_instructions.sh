#!/usr/bin/env bash
# The instructions (callgrind) of the four kinds of run `bench/rerun.sh`
# times, on a copy of the corpus: `--no-cache`, a first run with an empty
# cache folder, a run after one file changed, and a replay. Instruction
# counts stay put on a busy machine where wall times do not; they move a
# little (a few million) with how rayon's threads share the work.
#
#   bench/rerun_instructions.sh [CORPUS_DIR]     (default ../shared/corpus)
#
# KVET_BIN=a,b counts those binaries; default target/release/kvet, built.
# KEEP=dir keeps the callgrind outputs there (BIN-INDEX.RUN.out). Needs
# valgrind and python3. Takes about two minutes per binary.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
[ -d "$corpus" ] || { echo "corpus not found: $corpus" >&2; exit 2; }
if [ -n "${KVET_BIN:-}" ]; then
  IFS=, read -r -a bins <<< "$KVET_BIN"
else
  cargo build --release --quiet
  bins=("$PWD/target/release/kvet")
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() { # OUT ARGS...: the instructions of one run
  local out=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$out" "$kvet" check . --format json --fail-on never "$@" \
    2>&1 >/dev/null | awk '/refs:/ {print $NF}'
}
for i in "${!bins[@]}"; do
  kvet=${bins[$i]}
  rm -rf "$work/corpus" "$work/cache"
  cp -r "$corpus" "$work/corpus"
  export KVET_CACHE_DIR=$work/cache
  # The file the "changed" run edits: a middle-sized one, as rerun.sh picks.
  edited=$(python3 - "$work/corpus" <<'PY'
import os, sys
files = sorted(
    os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith((".yaml", ".yml"))
)
print(sorted(files, key=os.path.getsize)[len(files) // 2])
PY
)
  echo "$kvet"
  cd "$work/corpus"
  for run in nocache first changed replay; do
    case $run in
      nocache) n=$(count "$work/$i.$run.out" --no-cache) ;;
      changed) echo "# edited" >> "$edited"; n=$(count "$work/$i.$run.out") ;;
      *) n=$(count "$work/$i.$run.out") ;;
    esac
    printf '  %-8s %15s instructions\n' "$run" "$n"
  done
  cd - >/dev/null
  if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP"
    cp "$work/$i".*.out "$KEEP/"
  fi
done
