"""Every constructor argument of the public classes is documented where help() shows it."""
import inspect
import pydoc

import pytest

import paddlehub_lite as hub
from paddlehub_lite.autofinetune.search import AutoFinetune
from paddlehub_lite.deploy import TextClassifier
from paddlehub_lite.deploy.batcher import Batcher
from paddlehub_lite.deploy.request_limits import ServeLimits
from paddlehub_lite.deploy.server import Server

PUBLIC = [hub.RunConfig, hub.TextClassifierTask, hub.ClassifierTask, hub.AdamWeightDecayStrategy,
          hub.DefaultStrategy, hub.reader.LACClassifyReader, hub.dataset.BaseNLPDataset,
          hub.dataset.ChnSentiCorp, hub.Module, hub.MultiLabelClassifierTask,
          hub.CombinedStrategy, hub.DefaultFinetuneStrategy, hub.L2SPFinetuneStrategy,
          hub.ULMFiTStrategy]
PUBLIC += [TextClassifier, Server, ServeLimits, Batcher, AutoFinetune]


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda c: c.__name__)
def test_help_documents_every_constructor_argument(cls):
    lines = [line.strip().lstrip("|").strip() for line in pydoc.render_doc(cls).splitlines()]
    for i in range(len(lines) - 1):          # "a / b /" continued on the next line
        if lines[i].endswith("/"):
            lines[i + 1] = lines[i] + " " + lines[i + 1]
    # "name: ..." or "a / name / b: ..." at the start of a docstring line
    heads = [{part.strip() for part in line.split(":", 1)[0].split("/")} for line in lines
             if ":" in line]
    missing = [name for name in inspect.signature(cls).parameters
               if name not in ("self", "args", "kwargs") and not any(name in h for h in heads)]
    assert missing == [], "%s: undocumented arguments %s" % (cls.__name__, missing)


def test_finetune_and_eval_has_a_docstring():
    assert "best model" in (hub.TextClassifierTask.finetune_and_eval.__doc__ or "")


def test_readme_flag_table_lists_every_demo_flag():
    import argparse
    import os
    import re
    import sys
    from .conftest import REPO
    sys.path.insert(0, os.path.join(REPO, "examples", "elmo"))
    import elmo_demo_net
    parser = argparse.ArgumentParser()
    parser.add_argument("--num_epoch")
    parser.add_argument("--batch_size")
    elmo_demo_net.add_common_args(parser)
    flags = {a.option_strings[0] for a in parser._actions if a.option_strings
             and a.option_strings[0] != "-h"}
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        table = set(re.findall(r"^\| `(--[a-z_0-9]+)` \|", handle.read(), flags=re.M))
    assert flags - table == set(), "flags missing from the README's table"


def test_ci_runs_the_readme_test_command():
    """.ci/run calls exactly the README's test command (the one a developer runs)."""
    import os
    import re
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    command = re.search(r"tests \(what CI runs.*?\n```sh\n(.*?)\n```", readme,
                        re.S | re.I).group(1)
    ci = open(os.path.join(root, ".ci", "run"), encoding="utf-8").read().splitlines()
    assert command in ci, (command, ci[-3:])


def test_the_readme_python_example_runs(tiny_pretrained, tmp_path):
    """The README's 20-line example, as it is, in a home where "elmo" is the tiny module and
    ChnSentiCorp a 200-example slice: it trains, evaluates and prints a label per text."""
    import os
    import re
    import shutil
    import subprocess
    import sys
    from .conftest import CHNSENTICORP, REPO
    from .finetune import tiny_finetune
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    section = readme.split("## A 20-line Python example", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    assert len(code.strip().splitlines()) <= 24
    home = tmp_path / "home"
    shutil.copytree(tiny_pretrained[2], str(home / "modules" / "elmo"))
    tiny_finetune.write_slice(str(home / "dataset" / "chnsenticorp"), CHNSENTICORP, 200, 40, 40)
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    env = dict(os.environ, PADDLEHUB_LITE_HOME=str(home),
               PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    result = subprocess.run([sys.executable, "example.py"], cwd=str(tmp_path), env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[test dataset evaluation result]" in result.stderr
    printed = result.stdout.strip().splitlines()[-1]
    assert printed.count("'label'") == 2 and "'probabilities'" in printed
