#!/bin/sh
# Latency of the int8 layouts against fp32 (docs/quantization.md, "Int8 layouts and CPUs"):
# median (p50) per batch at batch 1 and 32, one thread, the models written by int8-layouts.sh.
# Each model is measured twice, in alternating order, so drift shows as a gap between rounds.
#   docs/examples/int8-latency.sh [OUT_DIR] [RUNS]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/whittle-int8-layouts}
runs=${2:-300}
w=${WHITTLE:-$here/bin/whittle}
p50() { "$w" bench "$1" --data "$here/docs/examples/fashion-test.yaml" --batch 1,32 --threads 1 --runs "$runs" \
  --warmup 30 --json 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin); print(" ".join("%.4f" % x["latencyMs"]["p50"] for x in r["results"]))'; }
echo "p50 ms per batch (batch 1, batch 32), 1 thread, $runs runs; round 1 | round 2"
for m in cnn mlp; do
  for round in 1 2; do
    for l in fp32 full reduced uint8; do
      f="$out/$m-$l.onnx"
      [ "$l" = fp32 ] && f="$here/sample-models/fashion-$m.onnx"
      eval "r_${l}_$round=\"\$(p50 \"\$f\")\""
    done
  done
  for l in fp32 full reduced uint8; do
    eval "printf 'fashion-%s %-8s %s | %s\n' \"$m\" \"$l\" \"\$r_${l}_1\" \"\$r_${l}_2\""
  done
done
