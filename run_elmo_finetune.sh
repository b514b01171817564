#!/usr/bin/env bash
# Finetune the ELMo + GRU demo on ChnSentiCorp (PaddleHub 1.x demo/elmo/run_elmo_finetune.sh).
# Extra flags are passed through, e.g.: sh run_elmo_finetune.sh --num_epoch 1 --seed 2
set -e
export FLAGS_eager_delete_tensor_gb=0.0
export CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-0}
export GLOG_minloglevel=${GLOG_minloglevel:-2}
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON=${PYTHON:-python}
[ -x "$HERE/.venv/bin/python" ] && [ -z "${VIRTUAL_ENV:-}" ] && PYTHON="$HERE/.venv/bin/python"
"$PYTHON" -u "$HERE/examples/elmo/elmo_finetune.py" \
  --batch_size=32 \
  --use_gpu=True \
  --checkpoint_dir="./ckpt_chnsenticorp" \
  --learning_rate=1e-3 \
  --weight_decay=0.01 \
  --num_epoch=3 \
  "$@"
