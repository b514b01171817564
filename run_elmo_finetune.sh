#!/usr/bin/env bash
# Finetune the ELMo + GRU demo on ChnSentiCorp (PaddleHub 1.x demo/elmo/run_elmo_finetune.sh).
# Extra flags are passed through, e.g.: sh run_elmo_finetune.sh --num_epoch 1 --seed 2
set -e
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/examples/elmo/script_env.sh"
"$PYTHON" -u "$HERE/examples/elmo/elmo_finetune.py" \
  --batch_size=32 \
  --use_gpu=True \
  --checkpoint_dir="./ckpt_chnsenticorp" \
  --learning_rate=1e-3 \
  --weight_decay=0.01 \
  --num_epoch=3 \
  "$@"
