import pytest

import paddlehub_lite as hub


class _Reader:
    dataset = None


def _task():
    import paddle
    paddle.enable_static()
    program = paddle.static.Program()
    with paddle.static.program_guard(program, paddle.static.Program()):
        feature = paddle.static.data("x", [-1, 4], "float32")
    return hub.ClassifierTask(feature=feature, num_classes=2, feed_list=["x"],
                              data_reader=_Reader(), config=hub.RunConfig(checkpoint_dir="unused"))


def test_hooks_are_a_plain_dict_on_the_instance():
    task, other = _task(), _task()
    seen = []
    task.add_hook("eval_end", lambda t, **info: seen.append(("a", info["phase"])))
    task.add_hook("eval_end", lambda t, **info: seen.append(("b", info["phase"])))
    task._fire("eval_end", phase="dev")
    assert seen == [("a", "dev"), ("b", "dev")]              # unnamed hooks don't collide
    assert other.hooks["eval_end"] == {}                      # nothing patched on the class
    task.add_hook("eval_end", lambda t, **info: seen.append("named"), name="mine")
    del seen[:]
    task._fire("eval_end", phase="test")
    assert seen == [("a", "test"), ("b", "test"), "named"]
    task.delete_hook("eval_end", "mine")
    del seen[:]
    task._fire("eval_end", phase="test")
    assert seen == [("a", "test"), ("b", "test")]            # deleted: it no longer runs
    with pytest.raises(ValueError, match="unknown event"):
        task.add_hook("on_everything", print)


def test_paddlehub_15_hook_api():
    task = _task()
    seen = []
    name = task.add_hook("eval_end", "mine", lambda t, **info: seen.append(1))  # 1.5's order
    assert name == "mine"
    task.modify_hook("eval_end", "mine", lambda t, **info: seen.append(2))
    task._fire("eval_end", phase="dev")
    assert seen == [2]
    assert "eval_end: mine" in task.hooks_info() and "save_ckpt: -" in task.hooks_info()
    with pytest.raises(KeyError, match="no eval_end hook named 'other'"):
        task.modify_hook("eval_end", "other", print)
    with pytest.raises(TypeError, match="must be callable"):
        task.add_hook("eval_end", None)
