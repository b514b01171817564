"""Module types and the modules shipped inside the package, by name.

A module directory's ``module.json`` names its ``type``; the type's implementation (what
``Module.context`` builds, how a trained model's inputs are restored, and any attribute of its
own, e.g. the ELMo's ``bilm_config``) registers itself here with ``register``. The module
system knows no particular type: the types live in ``paddlehub_lite/zoo/<type>/``, whose
``__init__`` calls ``register``; the first lookup of an unknown type imports the zoo
(``paddlehub_lite/zoo/__init__.py`` imports each of its folders), so a new type is a new
folder there and nothing else. Registering at run time (a type of your own) works the same.
"""
import importlib
from typing import Callable, Dict, List, Optional

_TYPES: Dict[str, Callable] = {}
_SHIPPED: Dict[str, str] = {}
_ZOO = "paddlehub_lite.zoo"


def register(type_name: str, factory: Callable, shipped: Optional[Dict[str, str]] = None) -> None:
    """Register a module type: ``factory(module) -> implementation`` (an object with
    ``context(trainable, max_seq_len, **options) -> (inputs, outputs, program)`` and
    ``restore_inputs(description) -> ModuleInputs``); ``shipped``: module names this type
    ships inside the package, with their directories."""
    _TYPES[type_name] = factory
    _SHIPPED.update(shipped or {})


def _discover() -> None:
    importlib.import_module(_ZOO)


def module_type(type_name: str) -> Callable:
    """The factory of ``type_name``; a ``KeyError`` naming the known types if none."""
    if type_name not in _TYPES:
        _discover()
    if type_name not in _TYPES:
        raise KeyError("module type %r is not supported (known: %s)"
                       % (type_name, ", ".join(sorted(_TYPES)) or "none"))
    return _TYPES[type_name]


def shipped_directory(name: str) -> Optional[str]:
    """The directory of the module ``name`` shipped inside the package, or None."""
    _discover()
    return _SHIPPED.get(name)


def shipped_names() -> List[str]:
    _discover()
    return sorted(_SHIPPED)
