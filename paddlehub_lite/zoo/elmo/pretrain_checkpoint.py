"""``PretrainCheckpoints``: what a pretraining run keeps on disk and reads back: its
checkpoint, on the finetuning engine's ``Checkpointer`` and ``TrainerState`` (what the
program's ops read, the position, the rate schedule; verified, replaced atomically), and the
weights of the module it continues from.
``HeldOut``: its full-softmax perplexity on the held-out windows."""
import json
import math
import os
from typing import Dict, List, Optional, Tuple

import numpy as np

from paddlehub_lite.finetune.checkpoint import META, Checkpointer
from paddlehub_lite.finetune.trainer_state import TrainerState
from paddlehub_lite.utils import params_io
from paddlehub_lite.zoo.elmo import corpus
from paddlehub_lite.utils.log import logger
from paddlehub_lite.utils.scope import set_values


POSITION = ("epoch", "batch", "step")


class PretrainCheckpoints:
    """Part of ``ELMoPretrainer`` (its ``config``, ``train_prog``, ``scope``, ``state``,
    ``lr`` and ``lr_name``)."""

    def _state_names(self) -> List[str]:
        return [n for n in params_io.state_names(self.train_prog) if n != self.lr_name]

    def _ckpt_dir(self) -> str:
        return os.path.join(self.config.work_dir, self.config.checkpoint_name())

    def _checkpointer(self) -> Checkpointer:
        return Checkpointer(self._ckpt_dir(), max_to_keep=1)

    def _save_checkpoint(self) -> None:
        """The finetuning engine's checkpoint (``step_<N>/`` + ``ckpt.meta``, ``TrainerState``
        with the position, the rate schedule and the rest of ``self.state`` as ``extra``)."""
        names = self._state_names()
        trainer = TrainerState(epoch=self.state["epoch"], batch_index=self.state["batch"],
                               global_step=self.state["step"], seed=self.config.seed,
                               scheduler=self.lr.state_dict(),
                               extra={k: v for k, v in self.state.items() if k not in POSITION})
        self._checkpointer().save(params_io.read_state(self.scope, names), trainer)
        logger.info("Saving pretraining checkpoint to %s (step %d)", self._ckpt_dir(),
                    self.state["step"])

    def latest_checkpoint(self) -> Optional[Tuple[str, Dict, Dict]]:
        """``(state.npz path, self.state as saved, scheduler state)`` of the checkpoint, or
        None. A checkpoint of paddlehub_lite 0.1 (``state.npz`` + ``state.json`` directly in
        the checkpoint directory) is read too; the next save writes the new layout beside it."""
        directory = self._ckpt_dir()
        legacy = os.path.join(directory, "state.json")
        if not os.path.isfile(os.path.join(directory, META)) and os.path.isfile(legacy):
            with open(legacy) as handle:
                state = json.load(handle)
            return os.path.join(directory, "state.npz"), state, state.pop("lr_state")
        found = self._checkpointer().latest()
        if found is None:
            return None
        path, trainer = found
        state = dict(trainer.extra, epoch=trainer.epoch, batch=trainer.batch_index,
                     step=trainer.global_step)
        return path, state, trainer.scheduler

    def _load_checkpoint(self) -> bool:
        found = self.latest_checkpoint()
        if found is None:
            return False
        path, state, scheduler = found
        params_io.restore(self.scope, path, self._state_names())
        self.lr.set_state_dict(scheduler)
        self.state = state
        logger.info("Pretraining checkpoint loaded: epoch=%d, batch=%d, step=%d",
                    state["epoch"], state["batch"], state["step"])
        return True

    def _load_module_weights(self) -> None:
        """Start from ``init_module``'s weights (every encoder parameter must be there; a
        module without a softmax bias starts with a zero one)."""
        from paddlehub_lite.module.manifest import load_weights
        weights = load_weights(self.config.init_module)
        names = [p.name for p in self.train_prog.global_block().all_parameters()
                 if p.name.startswith("elmo_")]
        missing = [n for n in names if n not in weights and not n.endswith("softmax_b")]
        if missing:
            raise ValueError("%s lacks the parameters %s: its network does not match"
                             % (self.config.init_module, missing[:4]))
        set_values(self.scope, {n: weights[n].astype("float32") for n in names if n in weights})
        logger.info("Continuing from the weights of %s", self.config.init_module)



class HeldOut:
    """Part of ``ELMoPretrainer`` (its ``heldout_sents``, ``vocab``, ``bilm_config``,
    ``eval_prog``, ``eval_nll`` and ``scope``)."""

    def perplexity(self, exe) -> Dict[str, float]:
        """Full-softmax perplexity of each trained direction on the held-out windows
        (``fw_ppl`` / ``bw_ppl``, and ``tokens``)."""
        rng = np.random.default_rng(0)
        batches = corpus.make_batches(self.heldout_sents, 4096, rng)
        directions = list(self.eval_nll)
        nll = dict.fromkeys(directions, 0.0)
        count = 0
        for batch in batches:
            ids, lens, fw, bw = corpus.lm_arrays([self.heldout_sents[i] for i in batch],
                                                 self.vocab, self.bilm_config.pad_id)
            targets = {"fw": fw, "bw": bw}
            feed = {"word_ids": ids, "seq_len": lens}
            feed.update({d + "_targets": targets[d] for d in directions})
            out = exe.run(self.eval_prog, feed=feed,
                          fetch_list=[self.eval_nll[d] for d in directions], scope=self.scope)
            for d, value in zip(directions, out):
                nll[d] += float(value)
            count += int(lens.sum())
        result = {d + "_ppl": math.exp(nll[d] / count) for d in directions}
        result["tokens"] = count
        return result

