#!/usr/bin/env bash
# Predict with the model run_elmo_finetune.sh trained (PaddleHub 1.x demo/elmo/run_predict.sh).
# Extra flags are passed through, e.g.: sh run_predict.sh --input_file my_texts.txt
set -e
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/examples/elmo/script_env.sh"
CKPT_DIR="./ckpt_chnsenticorp"
"$PYTHON" -u "$HERE/examples/elmo/predict.py" --checkpoint_dir "$CKPT_DIR" --use_gpu True "$@"
