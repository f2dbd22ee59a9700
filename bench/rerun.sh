#!/usr/bin/env bash
# What kvet's caches save on a re-run (README "Re-runs: the result cache and
# the cache of unchanged files"): on a copy of the corpus, each round times
#   nocache  `kvet check --no-cache`
#   first    a run with an empty cache folder (it writes both caches)
#   changed  a run after one file changed (the cache of unchanged files)
#   replay   the same run again (the result cache)
# and prints the best and median wall time (`time.perf_counter` around each
# process) and the median peak RSS of each, per binary.
#
#   bench/rerun.sh [ROUNDS] [CORPUS_DIR]     (defaults 11, ../shared/corpus)
#
# KVET_BIN=a,b times those binaries, alternating round by round (the
# machine's load moves; compare binaries only within one run of this
# script); default target/release/kvet, built. Needs python3 and
# /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-11}
corpus=${2:-../shared/corpus}
[ -d "$corpus" ] || { echo "corpus not found: $corpus" >&2; exit 2; }
if [ -n "${KVET_BIN:-}" ]; then
  bins=$KVET_BIN
else
  cargo build --release --quiet
  bins=$PWD/target/release/kvet
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/corpus"
python3 - "$rounds" "$bins" "$work" <<'PY'
import os, shutil, statistics, subprocess, sys, time

rounds, bins, work = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3]
corpus = os.path.join(work, "corpus")
files = sorted(
    os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs if f.endswith((".yaml", ".yml"))
)
if not files:
    sys.exit("no YAML file in the corpus")
# The file a "changed" run edits: a middle-sized one, the same every round.
edited = sorted(files, key=os.path.getsize)[len(files) // 2]

def run(kvet, cache, *extra):
    env = dict(os.environ, KVET_CACHE_DIR=cache)
    env.pop("KVET_NO_CACHE", None)
    cmd = ["/usr/bin/time", "-f", "%M", kvet, "check", ".", "--format", "json", "--fail-on", "never", *extra]
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=corpus, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    rss = int(p.stderr.strip().splitlines()[-1]) / 1024
    return wall, rss

results = {b: {k: [] for k in ("nocache", "first", "changed", "replay")} for b in bins}
for _ in range(rounds):
    for i, kvet in enumerate(bins):
        cache = os.path.join(work, f"cache{i}")
        r = results[kvet]
        r["nocache"].append(run(kvet, cache, "--no-cache"))
        shutil.rmtree(cache, ignore_errors=True)
        with open(edited, "a") as f:
            f.write("# edited\n")
        r["first"].append(run(kvet, cache))
        with open(edited, "a") as f:
            f.write("# edited\n")
        r["changed"].append(run(kvet, cache))
        r["replay"].append(run(kvet, cache))

print(f"{len(files)} files, {rounds} rounds; the changed run edits {os.path.relpath(edited, corpus)}")
for kvet, r in results.items():
    print(kvet)
    for k, v in r.items():
        walls = sorted(w for w, _ in v)
        rss = statistics.median(m for _, m in v)
        print(f"  {k:<8} best {walls[0] * 1000:6.1f} ms  median {statistics.median(walls) * 1000:6.1f} ms  peak RSS {rss:5.1f} MB")
PY
