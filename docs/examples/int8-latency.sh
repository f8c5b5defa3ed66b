#!/bin/sh
# Latency of the int8 layouts against fp32 (docs/quantization.md, "Int8 layouts and CPUs"):
# p50 per batch at batch 1 and 32, one thread, the models written by int8-layouts.sh. The models
# are measured in turn, ROUNDS times over, so fp32 and every layout see the same machine state;
# the table gives the median over rounds of each round's p50, and the range.
#   docs/examples/int8-latency.sh [OUT_DIR] [RUNS] [ROUNDS]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/whittle-int8-layouts}
runs=${2:-300}
rounds=${3:-3}
w=${WHITTLE:-$here/bin/whittle}
log=$(mktemp)
for r in $(seq "$rounds"); do
  for m in cnn mlp; do
    for l in fp32 full reduced uint8; do
      f="$out/$m-$l.onnx"
      [ "$l" = fp32 ] && f="$here/sample-models/fashion-$m.onnx"
      printf "fashion-%s %s " "$m" "$l" >> "$log"
      "$w" bench "$f" --data "$here/docs/examples/fashion-test.yaml" --batch 1,32 --threads 1 --runs "$runs" \
        --warmup 30 --json 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin)
print(" ".join("%.4f" % x["latencyMs"]["p50"] for x in r["results"]))' >> "$log"
    done
  done
done
python3 - "$log" "$runs" "$rounds" <<'PY'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    m, l, b1, b32 = line.split()
    rows.setdefault((m, l), []).append((float(b1), float(b32)))
print("p50 ms per batch, 1 thread, %s runs, median of %s rounds [min-max]" % (sys.argv[2], sys.argv[3]))
print("model        layout   batch 1                   batch 32")
for (m, l), v in rows.items():
    c = lambda i: "%.4f [%.4f-%.4f]" % (st.median(x[i] for x in v), min(x[i] for x in v), max(x[i] for x in v))
    print("%-12s %-8s %-25s %s" % (m, l, c(0), c(1)))
PY
rm -f "$log"
