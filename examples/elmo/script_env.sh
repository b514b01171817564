# Sourced by run_elmo_finetune.sh and run_predict.sh: the original demo's environment, and the
# Python to use (.venv/bin/python of the repository when it exists and no venv is active).
export FLAGS_eager_delete_tensor_gb=0.0
export CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-0}
export GLOG_minloglevel=${GLOG_minloglevel:-2}
PYTHON=${PYTHON:-python}
if [ -x "$HERE/.venv/bin/python" ] && [ -z "${VIRTUAL_ENV:-}" ] && [ "$PYTHON" = python ]; then
  PYTHON="$HERE/.venv/bin/python"
fi
