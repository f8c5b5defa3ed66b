#!/bin/sh
# Measures the int8 weight layouts (docs/quantization.md, "Int8 layouts and CPUs"): W8A8 Fashion
# CNN and MLP (calibrated on sample-models/fashion-calib-x.npy, minmax) in each layout, their
# accuracy on the 2,000 committed test images at ONNX Runtime's default optimization and with it
# off, then latency against fp32 at batch 1 and 32.
#   docs/examples/int8-layouts.sh [OUT_DIR] [extra eval options, e.g. --limit 500]
# WHITTLE=... runs another launcher (e.g. one that runs java under qemu-x86_64 -cpu Haswell);
# REUSE=1 evaluates the models already in OUT_DIR instead of quantizing again.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/whittle-int8-layouts}
[ $# -gt 0 ] && shift
w=${WHITTLE:-$here/bin/whittle}
mkdir -p "$out"
acc() { model=$1; opt=$2; shift 2
  "$w" eval "$model" --data "$here/docs/examples/fashion-test.yaml" --opt-level "$opt" --json "$@" 2>/dev/null \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.2f" % (100*r["accuracy"]))'; }
for m in cnn mlp; do
  for l in full reduced uint8; do
    [ "${REUSE:-0}" = 1 ] && [ -f "$out/$m-$l.onnx" ] && continue
    "$w" quantize "$here/sample-models/fashion-$m.onnx" -o "$out/$m-$l.onnx" --activations minmax \
      --calib "$here/sample-models/fashion-calib-x.npy" --int8-layout "$l" >/dev/null 2>&1
  done
done
echo "accuracy % (2,000 images unless limited)  model layout  opt=all  opt=none"
for m in cnn mlp; do
  printf "fashion-%s fp32     %s  %s\n" "$m" "$(acc "$here/sample-models/fashion-$m.onnx" all "$@")" \
    "$(acc "$here/sample-models/fashion-$m.onnx" none "$@")"
  for l in full reduced uint8; do
    printf "fashion-%s %-8s %s  %s\n" "$m" "$l" "$(acc "$out/$m-$l.onnx" all "$@")" "$(acc "$out/$m-$l.onnx" none "$@")"
  done
done
