#!/usr/bin/env bash
# Instructions per language-server edit (callgrind counts are stable on a
# busy machine; wall times are not): runs `examples/lsp_edits.rs` with 1 and
# with 1+N edits of the 5,000-line document and divides the difference.
#
#   bench/lsp_callgrind.sh [WORKSPACE_DIR|-] [N] [5mb]
#
# Defaults: ../shared/corpus as the workspace, N=10. KEEP=dir keeps the
# callgrind output of the longer run there (for callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."
ws=${1:-../shared/corpus}
n=${2:-10}
big=${3:-}
cargo build --profile profiling --example lsp_edits --quiet
bin=$PWD/target/profiling/examples/lsp_edits
out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
count() {
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1" "$bin" "$ws" "$1" $big 2> "$out/log.$1" >/dev/null
  grep -m1 -oP '(?<=Collected : )\d+' "$out/log.$1"
}
one=$(count 1)
many=$(count $((n + 1)))
echo "workspace: $ws${big:+ ($big document)}"
echo "open + 1 edit: $one instructions"
echo "per further edit: $(( (many - one) / n )) instructions (mean of $n)"
