"""``hub.Module`` and the module directory format."""
from paddlehub_lite.module.manifest import ModuleFormatError
from paddlehub_lite.module.module import Module

__all__ = ["Module", "ModuleFormatError"]
