"""``Module.context()`` for ELMo modules: the static program the user builds on.

Four training modes, chosen by ``trainable`` and ``bilm_trainable``:

| trainable | bilm_trainable | what trains                    | biLM runs                          |
|-----------|----------------|--------------------------------|------------------------------------|
| True      | None / True    | biLM weights and the mix       | inside the program, every step     |
| True      | "top"          | the top LSTM layer and the mix | lower layers once per example      |
|           |                |                                | (cached), the top layer every step |
| True      | False          | the mix (PaddleHub 1.x did)    | once per example, then cached      |
| False     | (ignored)      | nothing in the module          | once per example, then cached      |

With a frozen biLM (or only its top layer trained, which then runs from the cached
representation below it) the program takes the biLM's layer outputs as an extra input,
``inputs["elmo_layers"]`` (float32 [batch, seq, L, 2E]); ``TextClassifierTask`` fills it from a
per-example feature cache, so the user still feeds only ``word_ids``. To run such a program
yourself, get the extra feed from ``ModuleContext.feed(word_ids)``.
"""
import os
import shutil
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import paddle

from paddlehub_lite.env import cache_home
from paddlehub_lite.module.inputs import attach, attached, mark_sequence
from paddlehub_lite.zoo.elmo.feature_cache import FeatureCache, ids_key
from paddlehub_lite.zoo.elmo.network import DIRECTIONS, BiLM, BiLMConfig, elmo_mix, \
    sequence_lengths, stack_layers
from paddlehub_lite.utils.export import save_inference_model
from paddlehub_lite.utils.inference import InferencePredictor
from paddlehub_lite.utils.log import logger
from paddlehub_lite.utils.scope import ensure_static, init_missing, set_values

class ModuleContext:
    """What a task needs to know about an ELMo module inside a program: implements
    ``paddlehub_lite.module.inputs.ModuleInputs`` (see there for how a task gets it).

    Attributes:
        module: the ``Module``.
        startup_program: initialisers of the module's parameters in this program.
        word_ids_name: the name of the ``word_ids`` input.
        layers_name: the name of the ``elmo_layers`` input, or None when the biLM is in-graph.
        max_seq_len: the longest sequence the context was built for.
        pad_id: the padding id of ``word_ids``.
        feature_layers: how many biLM representations ``elmo_layers`` holds (default None:
            all, L; a top-layer finetune is fed the L - 1 below the top).
    """

    def __init__(self, module, startup_program, word_ids_name: str, layers_name: Optional[str],
                 max_seq_len: int, pad_id: int, feature_layers: Optional[int] = None):
        self.feature_layers = (module.bilm_config.num_layers + 1 if feature_layers is None
                               else feature_layers)
        self.module = module
        self.startup_program = startup_program
        self.word_ids_name = word_ids_name
        self.layers_name = layers_name
        self.max_seq_len = max_seq_len
        self.pad_id = pad_id
        self._caches: Dict[str, tuple] = {}   # phase -> (ids key, FeatureCache)

    @property
    def bilm_frozen(self) -> bool:
        return self.layers_name is not None

    def load_pretrained(self, scope) -> int:
        """Write the module's pretrained weights into ``scope``; returns how many."""
        weights = self.module.weights()
        set_values(scope, {k: v for k, v in weights.items() if scope.find_var(k) is not None})
        return len(weights)

    def extra_input_names(self) -> List[str]:
        return [self.layers_name] if self.bilm_frozen else []

    def prepare(self, phase: str, id_lists: Sequence[np.ndarray],
                num_threads: Optional[int] = None, shard=None, cache=None) -> None:
        """Frozen biLM: compute the features of every example of ``phase`` once, cached on disk
        under ``$PADDLEHUB_LITE_HOME/cache/features`` within ``cache.budget`` (a
        ``module.inputs.CacheSettings``; default None: half the free space) and reused by later
        runs; with a ``shard`` (data parallel) each process computes only its share
        (``feature_cache.py``)."""
        if not self.bilm_frozen:
            return
        key = ids_key(id_lists)
        if phase in self._caches and self._caches[phase][0] == key:
            return
        start = time.time()
        held = [c.path for other, (_, c) in self._caches.items() if other != phase and c.path]
        budget, sources = (None, ()) if cache is None else (cache.budget, cache.sources)
        self._caches[phase] = (key, FeatureCache(
            self, id_lists, os.path.join(cache_home(), "features"), num_threads=num_threads,
            shard=shard, budget=budget, sources=sources, keep=held))
        features = self._caches[phase][1]
        logger.info("ELMo features of %d %s examples ready in %.1fs (%d computed here%s%s)",
                    len(id_lists), phase, time.time() - start, features.computed,
                    "" if shard is None else ", shard %d of %d" % (shard.rank, shard.world_size),
                    "" if features.stored == len(id_lists) else
                    "; %d stored, the rest computed in each epoch" % features.stored)

    def extra_feed(self, phase: str, indices: Sequence[int], word_ids: np.ndarray,
                   num_threads: Optional[int] = None) -> Dict[str, np.ndarray]:
        """The ``elmo_layers`` of one padded batch: from the phase's cache when ``prepare``
        made one, else computed now."""
        if not self.bilm_frozen:
            return {}
        if phase in self._caches:
            return {self.layers_name: self._caches[phase][1].batch(indices, word_ids.shape[1])}
        return self.feed(word_ids, num_threads)

    def depth_blocks(self) -> List[List[str]]:
        """The module's parameter names by depth, top down (``ModuleInputs``, optional): the
        layer mix, then the biLM's layers from the top, the embeddings with the lowest
        (a task uses only those that train in its program)."""
        config = self.module.bilm_config
        blocks = [["elmo_mix_w", "elmo_mix_gamma"]]
        for layer in range(config.num_layers, 0, -1):
            blocks.append(["elmo_%s_l%d%s" % (d, layer, s) for d in DIRECTIONS
                           for s in ("_w_ih", "_w_hh", "_b_ih", "_b_hh", "_proj_w")])
        blocks[-1] += sorted({config.embedding_name(d) for d in DIRECTIONS})
        return blocks

    def describe(self) -> Dict:
        """The module by name, version and weights' sha256 (no directory: a bundle does not
        depend on where the module was), and how the program is fed."""
        return {"module": {"name": self.module.name, "version": self.module.version,
                           "sha256": self.module.fingerprint},
                "word_ids_name": self.word_ids_name, "layers_name": self.layers_name,
                "max_seq_len": self.max_seq_len, "pad_id": self.pad_id,
                "feature_layers": self.feature_layers}

    def export_features(self, prefix: str) -> Optional[Dict]:
        """Frozen biLM: write its feature network (word ids -> ``elmo_layers``) as an
        inference model at ``prefix`` (``.json`` + ``.pdiparams``, read back and checked);
        returns what the bundle records to feed it. None when the biLM is in the program."""
        if not self.bilm_frozen:
            return None
        source = self.module.exported_bilm(self.feature_layers)   # exported once, copied
        for ext in (".json", ".pdiparams"):
            shutil.copyfile(source + ext, prefix + ext)
            if os.path.getsize(prefix + ext) != os.path.getsize(source + ext):
                raise OSError("%s%s: incomplete copy (disk full?)" % (prefix, ext))
        return {"prefix": os.path.basename(prefix), "input": "word_ids",
                "output": self.layers_name}

    @classmethod
    def from_description(cls, module, description: Dict) -> "ModuleContext":
        """The inputs ``describe()`` recorded, for prediction only (no startup program)."""
        return cls(module, None, description["word_ids_name"], description["layers_name"],
                   description["max_seq_len"], description["pad_id"],
                   description.get("feature_layers"))   # absent before top-layer finetuning

    def feed(self, word_ids: np.ndarray, num_threads: Optional[int] = None
             ) -> Dict[str, np.ndarray]:
        """The extra feed of a frozen-biLM program for a padded int64 [B, T] batch
        (``num_threads``: CPU math threads of the biLM, default every core)."""
        if self.layers_name is None:
            return {}
        return {self.layers_name: self.module.bilm_layers(word_ids, num_threads,
                                                          self.feature_layers)}


def build_context(module, trainable: bool = True, bilm_trainable=None,
                  max_seq_len: int = 128, use_layers: Optional[Sequence[int]] = None,
                  dropout: float = 0.0, mix_l2: float = 0.0):
    """See ``Module.context``. Returns (inputs, outputs, program)."""
    ensure_static()
    config: BiLMConfig = module.bilm_config
    if bilm_trainable not in (None, True, False, "top"):
        raise ValueError("bilm_trainable must be None, True, False or 'top', got %r"
                         % (bilm_trainable,))
    if bilm_trainable is None:
        bilm_trainable = bool(trainable)
    if not trainable:
        bilm_trainable = False
    if not 1 <= max_seq_len <= 4096:
        raise ValueError("max_seq_len must be in 1..4096, got %r" % max_seq_len)
    prefix = "@HUB_%s@" % module.name
    program, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(program, startup):
        word_ids = paddle.static.data(prefix + "word_ids", [-1, -1], "int64")
        seq_len = sequence_lengths(word_ids, config.pad_id)
        mask = (word_ids != config.pad_id).astype("float32").unsqueeze(-1)
        num_reps = config.num_layers + 1
        # a top-layer finetune is fed the representations below the top layer, which it adds
        fed_reps = config.num_layers if bilm_trainable == "top" else num_reps
        inputs = {"word_ids": word_ids}
        layers_name = None
        if bilm_trainable is True:
            layers = stack_layers(BiLM(config, trainable=True)(word_ids, seq_len))
        else:
            layers_name = prefix + "elmo_layers"
            layers = paddle.static.data(layers_name, [-1, -1, fed_reps, config.output_dim],
                                        "float32")
            inputs["elmo_layers"] = layers
            if bilm_trainable == "top":
                top = BiLM(config, trainable=True, first_layer=config.num_layers)
                layers = top.upper_layers(layers, seq_len)
        elmo = elmo_mix(layers, num_reps, trainable=bool(trainable), use_layers=use_layers,
                        dropout=dropout, mix_l2=mix_l2)
    outputs = {"elmo_embed": elmo, "seq_len": seq_len, "mask": mask}
    context = ModuleContext(module, startup, word_ids.name, layers_name, max_seq_len,
                            config.pad_id, fed_reps)
    attach(program, context)
    for value in (word_ids, elmo):
        mark_sequence(program, value, seq_len, mask)
    return inputs, outputs, program


class FeatureExtractor:
    """Runs the frozen biLM (no dropout): word ids -> [B, T, L, 2E].

    The program is exported once per module (``ELMoModule.exported_bilm``) and served by
    ``paddle.inference``, which runs Paddle's CPU LSTM kernel about 1.5-2x faster than the
    static executor does (BENCHMARKS.md).

    Args:
        module: the ELMo ``Module``.
        num_threads: CPU math threads of its predictor.
        num_reps: the representations to compute, 2..L (``Module.bilm_layers`` resolves its
            default, all L).
    """

    def __init__(self, module, num_threads: int, num_reps: int):
        self.num_threads = num_threads
        self.num_reps = num_reps
        self.predictor = InferencePredictor(module.exported_bilm(num_reps), num_threads)

    def __call__(self, word_ids: np.ndarray) -> np.ndarray:
        return self.predictor({"word_ids": word_ids.astype("int64")})


def export_bilm(module, num_reps: int, prefix: str) -> None:
    """The frozen biLM (no dropout) as an inference model at ``prefix``: input ``word_ids``
    (int64 [B, T], padded with the module's pad id), output the first ``num_reps``
    representations, float32 [B, T, num_reps, 2E] (the layers above are not built)."""
    ensure_static()
    config: BiLMConfig = module.bilm_config
    program, startup = paddle.static.Program(), paddle.static.Program()
    with paddle.static.program_guard(program, startup):
        word_ids = paddle.static.data("word_ids", [-1, -1], "int64")
        seq_len = sequence_lengths(word_ids, config.pad_id)
        bilm = BiLM(config, trainable=False, last_layer=num_reps - 1)
        layers = stack_layers(bilm(word_ids, seq_len, dropout=0.0))
    scope = paddle.static.Scope()
    exe = paddle.static.Executor(paddle.CPUPlace())
    init_missing(startup, scope, exe)
    set_values(scope, {k: v for k, v in module.weights().items()   # not the LM softmax
                       if scope.find_var(k) is not None})          # bias, nor layers above
    save_inference_model(prefix, [word_ids], [layers], exe, program, scope)


def contexts_of(program):
    """The ``ModuleContext`` objects ``Module.context`` returned with ``program``."""
    return attached(program)
