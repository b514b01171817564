"""The module zoo: the modules paddlehub_lite implements and ships (``zoo/elmo``). The module
system itself (finding, verifying, loading any module directory) is ``paddlehub_lite/module``."""
