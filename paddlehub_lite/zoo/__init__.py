"""The module zoo: the module types paddlehub_lite implements and the modules it ships, one
folder each (``zoo/elmo``). Importing the zoo imports every folder, whose ``__init__``
registers its type with ``paddlehub_lite.module.registry`` (cheaply: the network code is
imported when a module of the type is opened). The module system itself (finding, verifying,
loading any module directory) is ``paddlehub_lite/module``."""
import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__):
    if _info.ispkg:
        importlib.import_module(__name__ + "." + _info.name)
