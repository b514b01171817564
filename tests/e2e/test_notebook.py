"""The example notebook executes headless (nbclient) on a tiny configuration."""
import os

import nbformat
from nbclient import NotebookClient

from ..conftest import CHNSENTICORP, REPO
from ..finetune import tiny_finetune

NOTEBOOK = os.path.join(REPO, "examples", "elmo", "elmo_finetune.ipynb")


def test_notebook_runs(tmp_path, tiny_pretrained, hub_home, monkeypatch):
    data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 300, 60, 60)
    monkeypatch.setenv("ELMO_NB_MODULE_DIR", tiny_pretrained[2])
    monkeypatch.setenv("ELMO_NB_DATA_DIR", data)
    monkeypatch.setenv("ELMO_NB_NUM_EPOCH", "1")
    monkeypatch.setenv("ELMO_NB_CHECKPOINT_DIR", str(tmp_path / "ckpt"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([REPO, os.environ.get("PYTHONPATH", "")]))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(out.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for out in cell.get("outputs", []))
    assert "test accuracy of the best model:" in outputs
    assert "'' -> " in outputs                                  # the empty text got a label
    assert "Loss_train [(" in outputs
    assert (tmp_path / "ckpt" / "best_model" / "params.npz").is_file()
