"""``ModuleInputs``: what a module's program needs from the task that trains or runs it, beyond
the word ids the user feeds. The generic engine (``finetune/``) talks to modules only through
this protocol; ``zoo/elmo/context.py``'s ``ModuleContext`` implements it.

A task gets its module inputs explicitly (``TextClassifierTask(..., module_inputs=[ctx])``) or,
for PaddleHub 1.x scripts that pass nothing, from the program ``Module.context`` returned
(``attached(program)``: the context rides along with the program object the user builds on,
as the 1.x API has no other place for it).
"""
import dataclasses
from typing import Callable, Dict, List, Optional, Protocol, Sequence, Tuple, Union

import numpy as np

_ATTR = "paddlehub_lite_module_inputs"
_SEQUENCES = "paddlehub_lite_sequences"


@dataclasses.dataclass(frozen=True)
class Shard:
    """The part of a split one data-parallel process computes: the examples whose index is
    ``rank`` modulo ``world_size``. ``barrier`` waits for every process (all of them call
    ``prepare`` for the split)."""

    rank: int
    world_size: int
    barrier: Callable[[], None]


@dataclasses.dataclass(frozen=True)
class CacheSettings:
    """What a module may keep on disk for a split it prepares.

    Args:
        budget: the disk budget of the module's cache directory, bytes or a size like
            ``"20GB"`` (default None: half of the disk's free space plus what the cache
            holds; 0: nothing on disk, computed again when needed) (``RunConfig.cache_budget``).
        sources: the data files the split was read from; the cached file is removed once
            they are all gone (default: none recorded).
    """

    budget: Union[int, str, None] = None
    sources: Tuple[str, ...] = ()


class ModuleInputs(Protocol):
    """The contract between a module's program and a task.

    Attributes:
        startup_program: initialisers of the module's parameters.
        word_ids_name: the name of the word-ids input.
        pad_id: the padding id of the word ids.
        max_seq_len: the longest sequence the program was built for.
    """

    startup_program: object
    word_ids_name: str
    pad_id: int
    max_seq_len: int

    def load_pretrained(self, scope) -> int:
        """Write the pretrained values into ``scope``; returns how many."""

    def extra_input_names(self) -> List[str]:
        """Inputs of the program the task must feed besides the word ids."""

    def prepare(self, phase: str, id_lists: Sequence[np.ndarray],
                num_threads: Optional[int], shard: Optional[Shard] = None,
                cache: Optional[CacheSettings] = None) -> None:
        """Precompute per-example inputs of a fixed split (train/dev/test), if the module
        does that; ``extra_feed`` then reads them. With a ``shard`` every data-parallel
        process calls this for the same split, computes its own share and gets the rest from
        the others (through a shared cache). ``cache``: its disk budget and data files."""

    def extra_feed(self, phase: str, indices: Sequence[int], word_ids: np.ndarray,
                   num_threads: Optional[int]) -> Dict[str, np.ndarray]:
        """The extra inputs of one padded batch (``indices`` into the prepared split)."""

    def feed(self, word_ids: np.ndarray, num_threads: Optional[int]) -> Dict[str, np.ndarray]:
        """The extra inputs of any padded batch, computed now (prediction, serving)."""

    def depth_blocks(self) -> List[List[str]]:
        """Optional: the module's parameter names in depth blocks, top down (what
        ``CombinedStrategy``'s discriminative rates and gradual unfreezing act on); a module
        without it is one block with the head."""

    def describe(self) -> Dict:
        """JSON a trained model records so that ``restore`` can rebuild these inputs for its
        exported inference model, without the training script: at least
        ``{"module": {"name", "version"}}`` (bundles of 0.3 and older: ``"directory"`` too)."""

    def export_features(self, prefix: str) -> Optional[Dict]:
        """Write the network that computes the extra inputs from the word ids as an inference
        model at ``prefix``, for a bundle that serves without the module; returns
        ``{"prefix": basename, "input": word-ids input name, "output": extra input name}``, or
        None when the program needs no extra input."""


def restore(description: Dict, num_threads: Optional[int] = None) -> ModuleInputs:
    """The ``ModuleInputs`` a ``describe()`` recorded: the module is opened from its recorded
    directory when that still holds the same version, else by name (any version mismatch is
    an error), and rebuilds its inputs."""
    import os
    from paddlehub_lite.module.module import Module
    spec = description["module"]
    directory = spec.get("directory")
    if directory and os.path.isdir(directory):
        module = Module(directory=directory, version=spec["version"])
    else:
        module = Module(name=spec["name"], version=spec["version"])
    return module.restore_inputs(description)


def attach(program, inputs: ModuleInputs) -> None:
    """Remember ``inputs`` with the program ``Module.context`` returns (see module docstring)."""
    setattr(program, _ATTR, attached(program) + [inputs])


def attached(program) -> List[ModuleInputs]:
    return list(getattr(program, _ATTR, []))


def mark_sequence(program, value, seq_len, mask) -> None:
    """Record that ``value`` ([batch, time, ...], padded) is a sequence whose real lengths are
    ``seq_len`` ([batch] int64) with ``mask`` ([batch, time, 1] float32): what a LoD tensor
    carried in fluid. ``Module.context`` marks its word ids and embeddings; the fluid
    compatibility layer (``compat/fluid``) reads and propagates the marks."""
    marks = getattr(program, _SEQUENCES, None)
    if marks is None:
        marks = {}
        setattr(program, _SEQUENCES, marks)
    marks[value.id] = (seq_len, mask)


def sequence_of(program, value):
    """``(seq_len, mask)`` of a marked sequence, or None."""
    return getattr(program, _SEQUENCES, {}).get(value.id)
