"""atomic_dir / atomic_file under SIGKILL at each point of a write: a reader afterwards finds the
old or the new complete directory, never a mix and never nothing; leftovers are removed."""
import os
import subprocess
import sys
import textwrap

import pytest

from paddlehub_lite.utils.atomic import atomic_dir, recover_dir

# The child writes version 1 of a directory, then version 2, and SIGKILLs itself at one point
# of the second write (fault injection by wrapping the os / shutil calls atomic_dir makes).
CHILD = textwrap.dedent("""
    import os, shutil, signal, sys
    from paddlehub_lite.utils import atomic
    path, point = sys.argv[1], sys.argv[2]

    def write(version, kill_mid_write=False):
        with atomic.atomic_dir(path) as tmp:
            with open(os.path.join(tmp, "a.txt"), "w") as f:
                f.write(version)
            if kill_mid_write:
                os.kill(os.getpid(), signal.SIGKILL)
            with open(os.path.join(tmp, "b.txt"), "w") as f:
                f.write(version)

    write("1")
    calls = {"replace": 0}
    real_replace, real_rmtree = os.replace, shutil.rmtree

    def replace(src, dst):
        calls["replace"] += 1
        if point == "before-first-rename" and calls["replace"] == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        if point == "between-renames" and calls["replace"] == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst)

    def rmtree(p, *a, **k):
        if point == "before-old-removed" and ".old-" in os.path.basename(p):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_rmtree(p, *a, **k)

    atomic.os.replace, atomic.shutil.rmtree = replace, rmtree
    write("2", kill_mid_write=point == "mid-write")
""")


def _contents(path):
    return {name: open(os.path.join(path, name)).read() for name in sorted(os.listdir(path))}


@pytest.mark.parametrize("point,expected", [("mid-write", "1"), ("before-first-rename", "1"),
                                            ("between-renames", "1"),
                                            ("before-old-removed", "2")])
def test_kill_at_each_point_leaves_old_or_new_complete(tmp_path, point, expected):
    path = str(tmp_path / "step_5")
    child = subprocess.run([sys.executable, "-c", CHILD, path, point], capture_output=True,
                           text=True, timeout=120)
    assert child.returncode == -9, child.stderr                 # really killed there
    recover_dir(path)
    assert _contents(path) == {"a.txt": expected, "b.txt": expected}
    assert sorted(os.listdir(tmp_path)) == ["step_5"]           # no .tmp-* / .old-* left


def test_recover_dir_leaves_unrelated_entries_alone(tmp_path):
    (tmp_path / ".tmp-step_50-abc").mkdir()                     # another directory's temp
    (tmp_path / "mine.txt").write_text("x")
    with atomic_dir(str(tmp_path / "step_5")) as tmp:
        open(os.path.join(tmp, "a.txt"), "w").close()
    assert sorted(os.listdir(tmp_path)) == [".tmp-step_50-abc", "mine.txt", "step_5"]


def test_a_second_writer_does_not_remove_a_live_writers_temp_file(tmp_path):
    """Two data-parallel processes cached the same reader file at once: the second one's
    clean-up deleted the first one's temp file mid-write and the first crashed on rename."""
    from paddlehub_lite.utils.atomic import atomic_file
    path = str(tmp_path / "cache.npz")
    other = "from paddlehub_lite.utils.atomic import atomic_file\n" \
            "with atomic_file(%r, 'w') as f:\n    f.write('other')\n" % path
    with atomic_file(path, "w") as handle:
        handle.write("mine")
        done = subprocess.run([sys.executable, "-c", other], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    assert open(path).read() == "mine"                       # the later rename wins
    assert sorted(os.listdir(tmp_path)) == ["cache.npz"]


def test_a_dead_writers_temp_entries_are_removed(tmp_path):
    path = str(tmp_path / "step_5")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    (tmp_path / (".tmp-step_5-%s-abc" % dead)).mkdir()
    (tmp_path / ".tmp-step_5-xyz").mkdir()                   # an old-style name: no pid
    recover_dir(path)
    assert os.listdir(tmp_path) == []
