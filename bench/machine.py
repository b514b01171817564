"""Which machine a figure came from: every benchmark and study script prints this line first
and stores it with its results (MKL takes other code paths on AMD and Intel CPUs, so the same
command and seed give other accuracies and speeds on each; BENCHMARKS.md's machines table).

    python bench/machine.py        # prints the line

``facts()`` returns the CPU model and vendor, the cores this process may use and the matmul
yardstick of ``bench/cpu_facts.py`` (a [256,256] x [256,1024] ``paddle.matmul`` on one thread,
with the MKL settings the package applies, best of 50, in a fresh process).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_model_and_vendor(cpuinfo_path: str = "/proc/cpuinfo"):
    """(model name, vendor id) of the first processor listed, or ("unknown", "unknown")."""
    model = vendor = "unknown"
    try:
        with open(cpuinfo_path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                elif key == "vendor_id" and vendor == "unknown":
                    vendor = value.strip()
    except OSError:
        pass
    return model, vendor


def matmul_ms() -> float:
    """The yardstick, measured in a fresh process that imports paddlehub_lite first (so the
    package's MKL settings apply, as in every run it times)."""
    code = ("import paddlehub_lite, runpy, sys; sys.argv = ['cpu_facts.py', '--child', 'matmul'];"
            "runpy.run_path(%r, run_name='__main__')" % os.path.join(HERE, "cpu_facts.py"))
    env = dict(os.environ, GLOG_minloglevel="2")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().split("\n")[-1])["ms"]


def facts(yardstick: bool = True) -> dict:
    """The machine's facts as a dict (``yardstick=False`` skips the ~2 s matmul probe)."""
    model, vendor = cpu_model_and_vendor()
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    result = {"cpu_model": model, "cpu_vendor": vendor, "cores": cores,
              "mkl_cbwr": os.environ.get("MKL_CBWR", "AUTO,STRICT (package default)")}
    if yardstick:
        result["matmul_ms"] = round(matmul_ms(), 3)
    return result


def describe(result: dict) -> str:
    """One line for a log or a table caption."""
    text = "machine: %s (%s), %d cores" % (result["cpu_model"], result["cpu_vendor"],
                                          result["cores"])
    if "matmul_ms" in result:
        text += ", matmul yardstick %.2f ms" % result["matmul_ms"]
    return text


def announce(yardstick: bool = True) -> dict:
    """Print the machine line (flushed, before the figures) and return the facts."""
    result = facts(yardstick)
    print(describe(result), flush=True)
    return result


if __name__ == "__main__":
    announce()
