"""``hub.Module``: find a module directory, verify it, and build its ``context()``.

A name resolves, in order, to
1. ``$PADDLEHUB_LITE_HOME/modules/<name>`` (an installed module),
2. a module shipped inside the package (``module/registry.py``: the zoo's, e.g. ``elmo``),
3. ``$PADDLEHUB_LITE_MODULE_SERVER/<name>.tar.gz`` (when the variable is set), checked against
   ``<name>.tar.gz.sha256`` from the same server and installed into (1).
A module that is found nowhere raises ``ModuleNotFoundError`` listing every place tried.
"""
import os
import urllib.parse
from typing import Dict, List, Optional

import numpy as np

from paddlehub_lite.env import cache_home, module_home
from paddlehub_lite.module import registry
from paddlehub_lite.module.manifest import MANIFEST, VOCAB_FILE, ModuleFormatError, \
    load_weights, read_manifest
from paddlehub_lite.utils.download import DownloadError, download, download_and_extract
from paddlehub_lite.utils.log import logger

SERVER_ENV = "PADDLEHUB_LITE_MODULE_SERVER"


class Module:
    """A pretrained module. What it builds depends on its type (``module.json``'s ``type``,
    implemented in ``paddlehub_lite/zoo/<type>/``, found through ``module/registry.py``);
    attributes of the type's own (the ELMo's ``bilm_config``, ``bilm_layers``) are reached
    on the module as well.

    Args:
        name: a module name, resolved as described in this file's docstring (default None).
        directory: load this module directory directly instead (default None).
        module_dir: PaddleHub 1.x spelling of ``directory``; a ``(dir, version)`` tuple is
            accepted too (default None).
        version: require this version (default None: any).
    """

    def __init__(self, name: Optional[str] = None, directory: Optional[str] = None,
                 module_dir=None, version: Optional[str] = None):
        if module_dir is not None and directory is None:
            directory = module_dir[0] if isinstance(module_dir, (tuple, list)) else module_dir
        if (name is None) == (directory is None):
            raise ValueError("give exactly one of name= or directory=")
        self.directory = os.path.abspath(directory) if directory else _resolve(name, version)
        self.manifest = read_manifest(self.directory)
        if version is not None and self.manifest["version"] != version:
            raise ModuleFormatError("%s is version %s, not the requested %s"
                                    % (self.directory, self.manifest["version"], version))
        self.name = self.manifest["name"]
        self.version = self.manifest["version"]
        self.type = self.manifest["type"]
        self._weights: Optional[Dict[str, np.ndarray]] = None
        try:
            factory = registry.module_type(self.type)
        except KeyError as err:
            raise ModuleFormatError("%s: %s" % (self.directory, err.args[0])) from None
        self.impl = factory(self)

    def __getattr__(self, name: str):
        """The type's own attributes (only called for names ``Module`` lacks)."""
        impl = self.__dict__.get("impl")
        if impl is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(impl, name)

    def get_vocab_path(self) -> str:
        """The module's ``assets/vocab.txt``."""
        return os.path.join(self.directory, VOCAB_FILE)

    def weights(self) -> Dict[str, np.ndarray]:
        """The pretrained parameters by name (float32), read once."""
        if self._weights is None:
            self._weights = load_weights(self.directory)
        return self._weights

    def context(self, trainable: bool = True, max_seq_len: int = 128, **options):
        """Build the module into a new static program: ``(inputs, outputs, program)``.

        Args:
            trainable: whether the module's parameters receive gradients (default True).
            max_seq_len: the longest ``word_ids`` sequence to expect (default 128).
            **options: the type's own (ELMo: ``bilm_trainable``, ``for_test``,
                ``use_layers``, ``dropout``, ``mix_l2``: ``zoo/elmo/module_type.py``).
        """
        built = self.impl.context(trainable=trainable, max_seq_len=max_seq_len, **options)
        logger.info("%d pretrained paramaters loaded by PaddleHub" % len(self.weights()))
        return built

    def restore_inputs(self, description: Dict):
        """The prediction-only ``ModuleInputs`` a context's ``describe()`` recorded
        (``module/inputs.restore``)."""
        return self.impl.restore_inputs(description)

    @property
    def fingerprint(self) -> str:
        """The weights file's sha256 (identifies the pretrained values in cache keys)."""
        return self.manifest["files"]["weights.npz"]["sha256"]

    def __repr__(self) -> str:
        return "Module(name=%r, version=%r, directory=%r)" % (self.name, self.version,
                                                              self.directory)


def _resolve(name: str, version: Optional[str]) -> str:
    tried: List[str] = []
    installed = os.path.join(module_home(), name)
    if os.path.isfile(os.path.join(installed, MANIFEST)):
        logger.info("Module %s already installed in %s", name, installed)
        return installed
    tried.append(installed + " (not installed)")
    shipped = registry.shipped_directory(name)
    if shipped and os.path.isfile(os.path.join(shipped, MANIFEST)):
        return shipped
    tried.append("modules shipped in paddlehub_lite (%s)"
                 % (", ".join(registry.shipped_names()) + (" - not present" if shipped else "")))
    server = os.environ.get(SERVER_ENV)
    if server:
        url = server.rstrip("/") + "/" + urllib.parse.quote(name) + ".tar.gz"
        try:
            return _install_from_server(name, url, installed)
        except DownloadError as err:
            tried.append("%s (%s)" % (url, err))
    else:
        tried.append("a module server ($%s is not set)" % SERVER_ENV)
    raise ModuleNotFoundError("module %r not found. Tried:\n  - %s" % (name, "\n  - ".join(tried)))


def _install_from_server(name: str, url: str, target: str) -> str:
    logger.info("Installing %s module", name)
    sha_path = os.path.join(cache_home(), "downloads", name + ".tar.gz.sha256")
    download(url + ".sha256", sha_path, progress=False)
    with open(sha_path, encoding="utf-8") as handle:
        fields = handle.read().split()
    os.remove(sha_path)
    if not fields or len(fields[0]) != 64:
        raise DownloadError("%s.sha256 does not hold a sha256 hex digest" % url)
    expected = fields[0].lower()

    def verify(directory: str) -> None:
        try:
            read_manifest(directory)
        except ModuleFormatError as err:
            raise DownloadError("the module archive %s is not a valid module: %s" % (url, err))

    download_and_extract(url, target, sha256=expected, verify=verify)
    logger.info("Successfully installed %s", name)
    return target
