#!/usr/bin/env bash
# Predict with the model run_elmo_finetune.sh trained (PaddleHub 1.x demo/elmo/run_predict.sh).
# Extra flags are passed through, e.g.: sh run_predict.sh --input_file my_texts.txt
set -e
export FLAGS_eager_delete_tensor_gb=0.0
export CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-0}
export GLOG_minloglevel=${GLOG_minloglevel:-2}
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON=${PYTHON:-python}
[ -x "$HERE/.venv/bin/python" ] && [ -z "${VIRTUAL_ENV:-}" ] && PYTHON="$HERE/.venv/bin/python"
CKPT_DIR="./ckpt_chnsenticorp"
"$PYTHON" -u "$HERE/examples/elmo/predict.py" --checkpoint_dir "$CKPT_DIR" --use_gpu True "$@"
