"""A task leaves no process-wide state of Paddle's behind: the global random generator is the
caller's again after building, training and evaluating (each training step reseeds it for
its dropout masks)."""
import paddle

from . import tiny_finetune
from ..conftest import CHNSENTICORP, home_env


def test_the_callers_random_generator_is_restored(tiny_pretrained, tmp_path):
    with home_env(str(tmp_path / "home")):
        data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 64, 16, 16)
        paddle.seed(4321)
        task = tiny_finetune.build_task(tiny_pretrained[2], data, str(tmp_path / "ckpt"),
                                        num_epoch=1, eval_interval=2)
        task.finetune_and_eval()
        assert task.seed == 1 and task.global_step > 1
        assert paddle.base.core.default_cpu_generator().initial_seed() == 4321
