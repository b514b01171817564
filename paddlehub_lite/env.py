"""Where paddlehub_lite keeps its files.

Everything cached lives under one root, ``~/.paddlehub_lite`` by default; the environment
variable ``PADDLEHUB_LITE_HOME`` replaces that root. The paths are computed on every call (not
at import time) so that a notebook or a test can change the variable and be obeyed at once.
"""
import os

HOME_ENV = "PADDLEHUB_LITE_HOME"


def home_dir() -> str:
    """The root directory: ``$PADDLEHUB_LITE_HOME`` or ``~/.paddlehub_lite``."""
    root = os.environ.get(HOME_ENV) or os.path.join(os.path.expanduser("~"), ".paddlehub_lite")
    return os.path.abspath(root)


def dataset_home() -> str:
    """``<home>/dataset``: downloaded and unpacked datasets."""
    return os.path.join(home_dir(), "dataset")


def module_home() -> str:
    """``<home>/modules``: installed modules, one directory each."""
    return os.path.join(home_dir(), "modules")


def cache_home() -> str:
    """``<home>/cache``: downloads in progress, segmentation and feature caches."""
    return os.path.join(home_dir(), "cache")
