"""``hub.Module``: find a module directory, verify it, and build its ``context()``.

A name resolves, in order, to
1. ``$PADDLEHUB_LITE_HOME/modules/<name>`` (an installed module),
2. a module shipped inside the package (``elmo``),
3. ``$PADDLEHUB_LITE_MODULE_SERVER/<name>.tar.gz`` (when the variable is set), checked against
   ``<name>.tar.gz.sha256`` from the same server and installed into (1).
A module that is found nowhere raises ``ModuleNotFoundError`` listing every place tried.
"""
import os
import urllib.parse
from typing import Dict, List, Optional, Sequence

import numpy as np

from paddlehub_lite.env import cache_home, module_home
from paddlehub_lite.module.manifest import MANIFEST, VOCAB_FILE, ModuleFormatError, \
    load_weights, read_manifest
from paddlehub_lite.utils.cpu import usable_cores
from paddlehub_lite.utils.download import DownloadError, download, download_and_extract
from paddlehub_lite.utils.log import logger

SERVER_ENV = "PADDLEHUB_LITE_MODULE_SERVER"
PACKAGE_MODULES = {"elmo": os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                        "zoo", "elmo", "pretrained")}


class Module:
    """A pretrained module.

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
        self._extractor = None
        if self.type != "elmo":
            raise ModuleFormatError("%s: module type %r is not supported" % (self.directory,
                                                                             self.type))
        from paddlehub_lite.zoo.elmo.network import BiLMConfig
        self.bilm_config = BiLMConfig.from_dict(self.manifest["network"])

    def get_vocab_path(self) -> str:
        """The module's ``assets/vocab.txt``."""
        return os.path.join(self.directory, VOCAB_FILE)

    def weights(self) -> Dict[str, np.ndarray]:
        """The pretrained parameters by name (float32), read once."""
        if self._weights is None:
            self._weights = load_weights(self.directory)
        return self._weights

    def context(self, trainable: bool = True, max_seq_len: int = 128,
                bilm_trainable=None, for_test: bool = False,
                use_layers: Optional[Sequence[int]] = None, dropout: float = 0.0,
                mix_l2: float = 0.0):
        """Build the module into a new static program.

        Args:
            trainable: whether the module's parameters receive gradients (default True).
            max_seq_len: the longest ``word_ids`` sequence to expect (default 128).
            bilm_trainable: override for the biLM alone (default None: same as ``trainable``).
                ``trainable=True, bilm_trainable=False`` is PaddleHub 1.x's behaviour: only
                the layer-mix weights train, and the biLM features are computed once per
                example and cached by the task (much faster training). ``"top"``: the top
                LSTM layer of each direction trains too, run in every step from the cached
                layer below it (the lower layers stay frozen and cached).
            for_test: accepted for PaddleHub compatibility; dropout is switched off in the
                task's evaluation clones either way (default False).
            use_layers: which biLM representations the ELMo embedding mixes (0 = token
                embedding, 1 and 2 = the LSTM layers; default None: all).
            dropout: dropout on the ELMo embedding while training (default 0.0).
            mix_l2: L2 penalty on the layer-mix weights (default 0.0).

        Returns:
            ``(inputs, outputs, program)``. ``inputs["word_ids"]``: int64 [batch, seq], padded
            with id 0 (``<S>``, never a real input). ``outputs["elmo_embed"]``: float32
            [batch, seq, 2E], zero at padding. ``outputs["seq_len"]``: int64 [batch], real
            lengths. ``outputs["mask"]``: float32 [batch, seq, 1]. With a frozen biLM also
            ``inputs["elmo_layers"]`` (filled by the task; see ``zoo/elmo/context.py``).
        """
        from paddlehub_lite.zoo.elmo.context import build_context
        inputs, outputs, program = build_context(self, trainable=trainable,
                                                 bilm_trainable=bilm_trainable,
                                                 max_seq_len=max_seq_len,
                                                 use_layers=use_layers, dropout=dropout,
                                                 mix_l2=mix_l2)
        logger.info("%d pretrained paramaters loaded by PaddleHub" % len(self.weights()))
        return inputs, outputs, program

    def restore_inputs(self, description: Dict):
        """The prediction-only ``ModuleInputs`` a context's ``describe()`` recorded
        (``module/inputs.restore``)."""
        from paddlehub_lite.zoo.elmo.context import ModuleContext
        return ModuleContext.from_description(self, description)

    def bilm_layers(self, word_ids: np.ndarray, num_threads: Optional[int] = None,
                    num_reps: Optional[int] = None) -> np.ndarray:
        """Frozen biLM layer outputs for a padded int64 [B, T] batch: float32 [B, T, L, 2E].

        Args:
            word_ids: int64 [B, T], padded with id 0.
            num_threads: CPU math threads of the biLM's predictor (default None: every core).
            num_reps: the first ``num_reps`` representations only, 2..L (default None: all L;
                a top-layer finetune is fed L - 1, and the layer above is not computed).
        """
        threads = num_threads or usable_cores()  # None and the core count: one predictor
        reps = self.bilm_config.num_layers + 1 if num_reps is None else num_reps
        if self._extractor is None or (self._extractor.num_threads,
                                       self._extractor.num_reps) != (threads, reps):
            from paddlehub_lite.zoo.elmo.context import FeatureExtractor
            self._extractor = FeatureExtractor(self, threads, reps)   # one at a time
        return self._extractor(word_ids)

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
    shipped = PACKAGE_MODULES.get(name)
    if shipped and os.path.isfile(os.path.join(shipped, MANIFEST)):
        return shipped
    tried.append("modules shipped in paddlehub_lite (%s)"
                 % (", ".join(sorted(PACKAGE_MODULES)) + (" - not present" if shipped else "")))
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
