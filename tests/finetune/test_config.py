import re

import pytest

import paddlehub_lite as hub


def test_defaults_match_paddlehub_112():
    config = hub.RunConfig()
    assert (config.log_interval, config.eval_interval, config.use_pyreader,
            config.use_data_parallel, config.save_ckpt_interval, config.use_cuda,
            config.num_epoch, config.batch_size, config.enable_memory_optim) == (
        10, 100, False, False, None, True, 1, 32, True)
    assert isinstance(config.strategy, hub.DefaultStrategy)
    assert re.fullmatch(r"ckpt_\d{14}", config.checkpoint_dir)
    assert config.seed is None


def test_flags_are_kept_as_given_and_repr_is_readable():
    config = hub.RunConfig(use_pyreader=True, enable_memory_optim=False, use_data_parallel=True,
                           batch_size=7, seed=3, checkpoint_dir="x")
    assert config.use_pyreader is True and config.enable_memory_optim is False
    assert config.batch_size == 7
    text = repr(config)
    assert text.startswith("RunConfig(") and "batch_size=7" in text and "seed=3" in text
    with pytest.raises(AttributeError):
        config.batch_size = 8                      # read-only, as in PaddleHub


@pytest.mark.parametrize("kwargs", [dict(batch_size=0), dict(num_epoch=-1),
                                    dict(save_ckpt_interval=0), dict(log_interval=1.5)])
def test_bad_values_are_rejected(kwargs):
    with pytest.raises(ValueError):
        hub.RunConfig(**kwargs)


def test_use_cuda_falls_back_to_cpu():
    import paddle
    from paddlehub_lite.finetune import parallel
    parallel._warned_cpu = False
    place = parallel.select_place(use_cuda=True)
    if paddle.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0:
        pytest.skip("a GPU is present here")
    assert isinstance(place, paddle.CPUPlace)
