"""One tiny trained classifier shared by the deploy tests (its checkpoint dir and a task)."""
import pytest

from ..conftest import CHNSENTICORP, home_env
from ..finetune import tiny_finetune


@pytest.fixture(scope="package")
def trained(tiny_pretrained, tmp_path_factory):
    """(task, checkpoint_dir, data_dir, home): a finished tiny finetune with a best model."""
    root = tmp_path_factory.mktemp("deploy")
    home = str(root / "home")
    with home_env(home):
        data = tiny_finetune.write_slice(str(root / "data"), CHNSENTICORP, 300, 60, 60)
        ckpt = str(root / "ckpt")
        task = tiny_finetune.build_task(tiny_pretrained[2], data, ckpt, num_epoch=1,
                                        eval_interval=10)
        task.finetune_and_eval()
    return task, ckpt, data, home
