"""PaddleHub 1.x's ``hparam.yaml``: the hyperparameters an AutoDL Finetuner search varies.

    param_list:
    - name : learning_rate
      init_value : 0.001
      type : float
      lower_than : 0.05
      greater_than : 0.000005

``type`` is ``int`` or ``float``; ``greater_than`` and ``lower_than`` bound the search
(inclusive here); ``init_value`` is the first trial's value. A float range whose bounds are
positive and two or more orders of magnitude apart is searched on a log scale (a learning
rate, a weight decay), any other on a linear one. Every error names the file and, where YAML
says it, the line.
"""
import dataclasses
import math
from typing import Dict, List

TYPES = ("int", "float")
KEYS = ("name", "init_value", "type", "lower_than", "greater_than")


@dataclasses.dataclass(frozen=True)
class Param:
    """One hyperparameter of the search (see the module docstring)."""

    name: str
    init_value: float
    type: str
    lower_than: float
    greater_than: float

    @property
    def log_scale(self) -> bool:
        return (self.type == "float" and self.greater_than > 0
                and self.lower_than / self.greater_than >= 100)

    def suggest(self, trial):
        """The value an Optuna trial proposes for this parameter."""
        if self.type == "int":
            return trial.suggest_int(self.name, int(self.greater_than), int(self.lower_than))
        return trial.suggest_float(self.name, self.greater_than, self.lower_than,
                                   log=self.log_scale)

    def flag(self, value) -> str:
        """``--name=value``, as the 1.x finetuner passed it to the script."""
        return "--%s=%s" % (self.name, int(value) if self.type == "int" else repr(float(value)))


def load(path: str) -> List[Param]:
    """The ``param_list`` of ``path``, checked."""
    import yaml
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = "%s:%d" % (path, mark.line + 1) if mark is not None else path
        raise ValueError("%s: not valid YAML (%s)" % (where, getattr(err, "problem", err))) \
            from None
    except UnicodeDecodeError as err:
        raise ValueError("%s: invalid UTF-8 (%s)" % (path, err)) from None
    if not isinstance(document, dict) or not isinstance(document.get("param_list"), list) \
            or not document["param_list"]:
        raise ValueError("%s: needs a non-empty 'param_list' (a list of {name, init_value, "
                         "type, lower_than, greater_than})" % path)
    params, seen = [], set()
    for k, entry in enumerate(document["param_list"], start=1):
        where = "%s: param_list entry %d" % (path, k)
        if not isinstance(entry, dict):
            raise ValueError("%s: must be a mapping of %s" % (where, ", ".join(KEYS)))
        missing = [key for key in KEYS if key not in entry]
        unknown = sorted(set(entry) - set(KEYS))
        if missing or unknown:
            raise ValueError("%s: %s" % (where, "; ".join(
                (["missing " + ", ".join(missing)] if missing else []) +
                (["unknown " + ", ".join(unknown)] if unknown else []))))
        params.append(_param(entry, where))
        if params[-1].name in seen:
            raise ValueError("%s: %r is listed twice" % (where, params[-1].name))
        seen.add(params[-1].name)
    return params


def _param(entry: Dict, where: str) -> Param:
    name, kind = entry["name"], entry["type"]
    if not isinstance(name, str) or not name.replace("_", "").isalnum():
        raise ValueError("%s: name %r is not a flag name" % (where, name))
    if kind not in TYPES:
        raise ValueError("%s (%s): type must be int or float, got %r" % (where, name, kind))
    values = {}
    for key in ("init_value", "lower_than", "greater_than"):
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise ValueError("%s (%s): %s must be a number, got %r" % (where, name, key, value))
        if kind == "int" and value != int(value):
            raise ValueError("%s (%s): %s must be a whole number for type int, got %r"
                             % (where, name, key, value))
        values[key] = value
    if not values["greater_than"] < values["lower_than"]:
        raise ValueError("%s (%s): greater_than (%r) must be below lower_than (%r)"
                         % (where, name, values["greater_than"], values["lower_than"]))
    if not values["greater_than"] <= values["init_value"] <= values["lower_than"]:
        raise ValueError("%s (%s): init_value %r is outside [%r, %r]" % (
            where, name, values["init_value"], values["greater_than"], values["lower_than"]))
    return Param(name, values["init_value"], kind, values["lower_than"], values["greater_than"])
