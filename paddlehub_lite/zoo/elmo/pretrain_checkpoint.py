"""``PretrainCheckpoints``: what a pretraining run keeps on disk and reads back: its
checkpoint (``state.npz`` of what the program's ops read, ``state.json`` with the position
and the rate schedule; replaced atomically) and the weights of the module it continues from.
``HeldOut``: its full-softmax perplexity on the held-out windows."""
import json
import math
import os
from typing import Dict, List

import numpy as np

from paddlehub_lite.utils import params_io
from paddlehub_lite.zoo.elmo import corpus
from paddlehub_lite.utils.atomic import atomic_dir
from paddlehub_lite.utils.log import logger
from paddlehub_lite.utils.scope import set_values


class PretrainCheckpoints:
    """Part of ``ELMoPretrainer`` (its ``config``, ``train_prog``, ``scope``, ``state``,
    ``lr`` and ``lr_name``)."""

    def _state_names(self) -> List[str]:
        return [n for n in params_io.state_names(self.train_prog) if n != self.lr_name]

    def _ckpt_dir(self) -> str:
        return os.path.join(self.config.work_dir, self.config.checkpoint_name())

    def _save_checkpoint(self) -> None:
        with atomic_dir(self._ckpt_dir()) as tmp:
            names = self._state_names()
            params_io.save_state(os.path.join(tmp, "state.npz"),
                                 params_io.read_state(self.scope, names))
            state = dict(self.state, lr_state=self.lr.state_dict())
            with open(os.path.join(tmp, "state.json"), "w") as handle:
                json.dump(state, handle, indent=1)
        logger.info("Saving pretraining checkpoint to %s (step %d)", self._ckpt_dir(),
                    self.state["step"])

    def _load_checkpoint(self) -> bool:
        state_path = os.path.join(self._ckpt_dir(), "state.json")
        if not os.path.exists(state_path):
            return False
        with open(state_path) as handle:
            state = json.load(handle)
        params_io.restore(self.scope, os.path.join(self._ckpt_dir(), "state.npz"),
                          self._state_names())
        self.lr.set_state_dict(state.pop("lr_state"))
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

