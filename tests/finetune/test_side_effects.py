"""A task leaves no process-wide state of Paddle's behind: the global random generator is the
caller's again after building, training and evaluating (each training step reseeds it for
its dropout masks); and it takes none in: tasks built one after another into Paddle's
default startup program (a notebook) start from the values each would have alone."""
import re

import numpy as np
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


def test_tasks_built_into_the_default_startup_program_start_as_if_alone(tiny_pretrained,
                                                                        tmp_path):
    with home_env(str(tmp_path / "home")):
        data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 64, 16, 16)
        tasks = []
        for k, default in enumerate((True, True, False)):   # two in a "notebook", one alone
            task = tiny_finetune.build_task(tiny_pretrained[2], data, str(tmp_path / str(k)),
                                            num_epoch=1, default_startup=default)
            task.initialize()
            tasks.append(task)
        first, again, alone = [_initial_values(t) for t in tasks]
        assert sorted(again) == sorted(alone) and any(n.startswith("gru") for n in alone)
        for name in alone:
            np.testing.assert_array_equal(again[name], alone[name], err_msg=name)
            np.testing.assert_array_equal(first[name], alone[name], err_msg=name)
        # the second task's scope holds its own parameters, not the first one's GRU
        own = {v.name for v in tasks[1].train_program.list_vars() if v.persistable}
        other = {v.name for v in tasks[0].train_program.list_vars() if v.persistable} - own
        assert other and not [n for n in other if tasks[1].scope.find_var(n) is not None]


def _initial_values(task):
    """The task's parameters by name without the layer counter (gru_3.w_0 -> gru.w_0)."""
    names = [v.name for v in task.train_program.list_vars()
             if v.persistable and task.scope.find_var(v.name) is not None]
    return {re.sub(r"_\d+\.", ".", n): np.array(task.scope.find_var(n).get_tensor())
            for n in names}


def test_every_attribute_of_a_task_exists_after_its_constructor(tiny_pretrained, tmp_path):
    with home_env(str(tmp_path / "home")):
        data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 64, 16, 16)
        task = tiny_finetune.build_task(tiny_pretrained[2], data, str(tmp_path / "ckpt"),
                                        num_epoch=1, eval_interval=2)
        declared = set(vars(task))
        task.finetune_and_eval()
        task.predict(["很好"])
        assert set(vars(task)) - declared == set()
