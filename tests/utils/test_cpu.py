import os
import subprocess
import sys

import pytest

from paddlehub_lite.utils.cpu import MKL_CPU_TYPE_ENV, MKL_REPRODUCIBILITY_ENV, \
    apply_math_library_defaults, wants_mkl_avx2_override

AMD = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse avx avx2 fma\n\n" \
      "processor\t: 1\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse avx avx2 fma\n"
AMD_NO_AVX2 = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse avx\n"
INTEL = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse avx avx2 avx512f\n"


def test_only_amd_with_avx2_gets_the_override():
    assert wants_mkl_avx2_override(AMD)
    assert not wants_mkl_avx2_override(AMD_NO_AVX2)
    assert not wants_mkl_avx2_override(INTEL)
    assert not wants_mkl_avx2_override("")


def test_the_cpu_type_is_set_on_amd_only_and_reproducibility_everywhere():
    """MKL_CBWR on every vendor: on an Intel Xeon without it the same seed gave other bits
    (4 bit-exactness tests failed there); MKL_DEBUG_CPU_TYPE only where it helps (AMD)."""
    env = {}
    assert apply_math_library_defaults(env, AMD)
    assert env == {MKL_CPU_TYPE_ENV: "5", MKL_REPRODUCIBILITY_ENV: "AUTO,STRICT"}
    env = {MKL_REPRODUCIBILITY_ENV: "COMPATIBLE"}
    assert apply_math_library_defaults(env, AMD)
    assert env == {MKL_CPU_TYPE_ENV: "5", MKL_REPRODUCIBILITY_ENV: "COMPATIBLE"}
    for cpu in (INTEL, AMD_NO_AVX2, ""):
        env = {}
        assert not apply_math_library_defaults(env, cpu)
        assert env == {MKL_REPRODUCIBILITY_ENV: "AUTO,STRICT"}
    env = {MKL_REPRODUCIBILITY_ENV: "AVX2"}
    apply_math_library_defaults(env, INTEL)
    assert env == {MKL_REPRODUCIBILITY_ENV: "AVX2"}                 # the user's value kept


def test_a_value_the_user_set_is_kept():
    env = {MKL_CPU_TYPE_ENV: "2"}
    assert not apply_math_library_defaults(env, AMD)
    assert env[MKL_CPU_TYPE_ENV] == "2"


def test_import_applies_it_to_this_machine():
    code = ("import os, paddlehub_lite\n"
            "from paddlehub_lite.utils.cpu import _read_cpuinfo, wants_mkl_avx2_override\n"
            "info = _read_cpuinfo()\n"
            "expected = '5' if info and wants_mkl_avx2_override(info) else None\n"
            "assert os.environ.get('%s') == expected, (os.environ.get('%s'), expected)\n"
            "assert os.environ['%s'] == 'AUTO,STRICT'\n"
            % (MKL_CPU_TYPE_ENV, MKL_CPU_TYPE_ENV, MKL_REPRODUCIBILITY_ENV))
    env = {k: v for k, v in os.environ.items()
           if k not in (MKL_CPU_TYPE_ENV, MKL_REPRODUCIBILITY_ENV)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_thread_defaults_count_the_cores_this_process_may_use():
    """A process pinned to one core (taskset, a container's cpuset) gets one thread by default,
    not one per core of the machine."""
    code = ("import os; from paddlehub_lite.utils.cpu import usable_cores\n"
            "from paddlehub_lite.reader import LACClassifyReader\n"
            "import paddlehub_lite as hub\n"
            "print(usable_cores(), LACClassifyReader(vocab_path=hub.Module(name='elmo')"
            ".get_vocab_path()).num_workers)")
    first = min(os.sched_getaffinity(0))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         preexec_fn=lambda: os.sched_setaffinity(0, {first}))
    assert out.stdout.split() == ["1", "1"]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    cores = str(len(os.sched_getaffinity(0)))
    assert out.stdout.split() == [cores, cores]


def test_omp_num_threads_defaults_to_one_and_a_user_value_is_kept():
    code = "import os, paddlehub_lite; print(os.environ['OMP_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "1"
    out = subprocess.run([sys.executable, "-c", code], env=dict(env, OMP_NUM_THREADS="3"),
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"


def test_entry_points_silence_only_the_known_paddle_warnings(tmp_path):
    """The demo's own output: none of the three known Paddle warnings, but a warning of ours
    (or anyone's) still shows."""
    code = ("from paddlehub_lite.utils.quiet import quiet_known_warnings\n"
            "quiet_known_warnings()\n"
            "import logging, warnings, paddle\n"
            "paddle.enable_static()\n"
            "main, startup = paddle.static.Program(), paddle.static.Program()\n"
            "with paddle.static.program_guard(main, startup):\n"
            "    x = paddle.static.data('x', [2, 3], 'float32')\n"
            "    y = paddle.static.data('y', [2, 3], 'float32')\n"
            "    w = paddle.create_parameter([3, 1], 'float32')\n"
            "    loss = paddle.mean(paddle.matmul(x, w))\n"
            "    paddle.static.gradients([loss], [w, y])\n"
            "warnings.warn('a warning of the user')\n"
            "logging.warning('a log line of the user')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, GLOG_minloglevel="2"))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "No ccache found" not in out.stderr
    assert "has no use" not in out.stderr
    assert "'place' interface" not in out.stderr
    assert "a warning of the user" in out.stderr and "a log line of the user" in out.stderr
