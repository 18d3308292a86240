#!/bin/sh
# Gaussian micro-benchmark: Mixscope's E-step / normalise-and-exp / M-step against sklearn's _e_step / _m_step on the
# same data and start (generated once by bench/sklearn_gaussian.py into $OUT), alternating runs, ratios per case.
#   bench/gaussian-micro/run.sh [case ...]   cases: a-full a-diag a-spherical a-tied b-full (default: all)
# BASE=<commit> also times the engine of that commit (extracted with git archive) in the same run ("before").
# ITER iterations per run (default 4), REPS runs per implementation (default 2); OUT data/results folder.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$HERE/../..
OUT=${OUT:-/tmp/gmicro}
ITER=${ITER:-4}
REPS=${REPS:-2}
mkdir -p "$OUT"
[ -f "$OUT/a.start.json" ] || /usr/bin/python3 "$ROOT/bench/sklearn_gaussian.py" generate --n 1000000 --d 2 --k 5 --seed 1 --out "$OUT/a" >/dev/null
[ -f "$OUT/b.start.json" ] || /usr/bin/python3 "$ROOT/bench/sklearn_gaussian.py" generate --n 100000 --d 50 --k 10 --seed 2 --out "$OUT/b" >/dev/null
CASES=${*:-a-full a-diag a-spherical a-tied b-full}
rm -f "$OUT"/*.mix.*.json "$OUT"/*.sk.*.json "$OUT"/*.base.*.json
if [ -n "$BASE" ]; then
  BASEDIR=$OUT/base-$BASE
  if [ ! -d "$BASEDIR" ]; then
    mkdir -p "$BASEDIR" && (cd "$ROOT" && git archive "$BASE" src) | tar -x -C "$BASEDIR"
  fi
  mkdir -p "$BASEDIR/bench/gaussian-micro" && cp "$HERE/mix.ts" "$BASEDIR/bench/gaussian-micro/"
fi
for c in $CASES; do
  set_=${c%%-*}; type=${c#*-}
  for r in $(seq "$REPS"); do
    (cd "$ROOT" && npx tsx "$HERE/mix.ts" "$OUT/$set_.npy" "$OUT/$set_.start.json" "$type" "$ITER") > "$OUT/$c.mix.$r.json"
    if [ -n "$BASE" ]; then
      (cd "$ROOT" && npx tsx "$BASEDIR/bench/gaussian-micro/mix.ts" "$OUT/$set_.npy" "$OUT/$set_.start.json" "$type" "$ITER") > "$OUT/$c.base.$r.json"
    fi
    /usr/bin/python3 "$HERE/sk.py" "$OUT/$set_.npy" "$OUT/$set_.start.json" "$type" "$ITER" > "$OUT/$c.sk.$r.json"
  done
done
node "$HERE/summary.mjs" "$OUT" $CASES
