"""CPU math-library defaults: ``apply_cpu_defaults()``, which ``import paddlehub_lite`` calls
(before Paddle runs any kernel); it only sets environment variables the user has not set.

``OMP_NUM_THREADS=1``: Paddle's CPU kernels have their own thread pool; OpenMP threads beside it
made a training step ~3x slower here (``bench/cpu_facts.py omp``).

Paddle's CPU wheel does its matrix products (``matmul``, ``fc``, the LSTM and GRU kernels) with
Intel MKL. On AMD processors MKL dispatches to a generic code path unless
``MKL_DEBUG_CPU_TYPE=5`` asks for its AVX2 kernels: measured on this project's AMD EPYC machines,
a [256, 256] x [256, 1024] ``paddle.matmul`` took 4.6 ms without it and 0.94 ms with it, and an
LSTM forward ran 2-3x faster (see BENCHMARKS.md). Those kernels' results then depended on the
memory alignment of the operands (two identical runs in one process differed by 1e-8), so
``MKL_CBWR=AUTO,STRICT`` (MKL's conditional numerical reproducibility) is set too: the same
speed here, and runs repeat bit for bit (seeded runs, resumed runs).

``MKL_CBWR=AUTO,STRICT`` is set on every CPU, not only AMD: on an Intel Xeon (AVX-512) machine
of this kind, without it, the same seed gave other bits in a second run (the two-processes,
kill-and-resume and two-tasks-in-one-process tests failed) and with it they passed.
``MKL_DEBUG_CPU_TYPE=5`` stays AMD-only (Intel processors would lose their AVX-512 kernels to
it). The variables are read when MKL first runs, so setting them at import (before any Paddle
op) is enough; neither is set over a value the user chose.
"""
import os
from typing import Optional

MKL_CPU_TYPE_ENV = "MKL_DEBUG_CPU_TYPE"
MKL_REPRODUCIBILITY_ENV = "MKL_CBWR"


def usable_cores() -> int:
    """The CPU cores this process may run on: its affinity mask where the OS has one (a process
    started under ``taskset`` or in a container limited to some cores), else the machine's core
    count. Thread counts default to this: ``os.cpu_count()`` counts every core of the machine,
    and two threads pinned to one core ran a finetune several times slower (DEVELOPERS.md)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):      # not Linux
        return max(1, os.cpu_count() or 1)


def wants_mkl_avx2_override(cpuinfo: str) -> bool:
    """True when ``cpuinfo`` (the text of ``/proc/cpuinfo``) describes an AMD CPU with AVX2."""
    vendor = flags = ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "vendor_id" and not vendor:
            vendor = value.strip()
        elif key == "flags" and not flags:
            flags = value
    return vendor == "AuthenticAMD" and "avx2" in flags.split()


def _read_cpuinfo() -> Optional[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:  # not Linux: leave MKL alone
        return None


def apply_math_library_defaults(environ=None, cpuinfo: Optional[str] = None) -> bool:
    """Set ``MKL_CBWR=AUTO,STRICT`` on every CPU unless the user set ``MKL_CBWR``, and
    ``MKL_DEBUG_CPU_TYPE=5`` on AMD CPUs with AVX2 unless the user set ``MKL_DEBUG_CPU_TYPE``.

    Args:
        environ: the mapping to update (default ``os.environ``).
        cpuinfo: the text of ``/proc/cpuinfo`` (default: read it).

    Returns whether ``MKL_DEBUG_CPU_TYPE`` was set by this call.
    """
    environ = os.environ if environ is None else environ
    environ.setdefault(MKL_REPRODUCIBILITY_ENV, "AUTO,STRICT")
    if MKL_CPU_TYPE_ENV in environ:
        return False
    cpuinfo = _read_cpuinfo() if cpuinfo is None else cpuinfo
    if cpuinfo is None or not wants_mkl_avx2_override(cpuinfo):
        return False
    environ[MKL_CPU_TYPE_ENV] = "5"
    return True


def apply_cpu_defaults(environ=None, cpuinfo: Optional[str] = None) -> None:
    """The CPU defaults ``import paddlehub_lite`` applies, never over a value the user set:
    ``OMP_NUM_THREADS=1``, ``MKL_CBWR=AUTO,STRICT`` and, on AMD CPUs with AVX2,
    ``MKL_DEBUG_CPU_TYPE=5`` (see the module docstring).

    Args:
        environ: the mapping to update (default ``os.environ``).
        cpuinfo: the text of ``/proc/cpuinfo`` (default: read it).
    """
    environ = os.environ if environ is None else environ
    environ.setdefault("OMP_NUM_THREADS", "1")
    apply_math_library_defaults(environ, cpuinfo)
