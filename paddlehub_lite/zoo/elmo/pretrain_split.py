"""Pretrain the forward and backward language models side by side, one process (and one CPU
thread) each: ``PretrainConfig(directions="split")``.

The two models share nothing but the corpus and vocabulary (each has its own embedding), so they
train independently; the corpus is segmented and the vocabulary built once, here, before the two
processes start. Each process keeps its own checkpoint (``ckpt_fw/``, ``ckpt_bw/``), so running
again resumes both. The module written at the end holds both encoders; its history merges the
two processes' held-out evaluations step by step.
"""
import concurrent.futures
import dataclasses
import multiprocessing
from typing import Dict, List, Optional

from paddlehub_lite.zoo.elmo.network import DIRECTIONS, parameter_names
from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer, PretrainConfig
from paddlehub_lite.zoo.elmo.write_module import write_module
from paddlehub_lite.utils import params_io
from paddlehub_lite.utils.child_process import init_worker
from paddlehub_lite.utils.log import logger


def _train_one(config: PretrainConfig) -> Dict:
    trainer = ELMoPretrainer(config)
    trainer.run()
    return {"history": trainer.state["history"], "untrained": trainer.state["untrained"]}


def merge_histories(fw: List[Dict], bw: List[Dict]) -> List[Dict]:
    """One record per evaluation: the forward and backward perplexities side by side; the
    corpus throughput is the slower process's (every token passes through both)."""
    merged = []
    for f, b in zip(fw, bw):
        merged.append(dict(step=min(f["step"], b["step"]), epoch=min(f["epoch"], b["epoch"]),
                           train_seconds=max(f["train_seconds"], b["train_seconds"]),
                           tokens_per_second=min(f["tokens_per_second"], b["tokens_per_second"]),
                           fw_ppl=f["fw_ppl"], bw_ppl=b["bw_ppl"], tokens=f["tokens"],
                           fw_step=f["step"], bw_step=b["step"]))
    return merged


class SplitPretrainer:
    """Runs a ``directions="split"`` pretraining; ``run()`` then ``export()`` as for
    ``ELMoPretrainer``.

    Args:
        config: the run; ``threads`` is ignored (each process uses one thread).
    """

    def __init__(self, config: PretrainConfig):
        if config.directions != "split":
            raise ValueError("SplitPretrainer needs directions='split', got %r" % config.directions)
        self.config = config
        self.results: Dict[str, Dict] = {}
        self.preparer: Optional[ELMoPretrainer] = None

    def child_config(self, direction: str) -> PretrainConfig:
        return dataclasses.replace(self.config, directions=direction, threads=1)

    def run(self) -> Dict:
        """Segment + vocabulary (cached in work_dir), then both directions at once; returns the
        last merged held-out record."""
        self.preparer = ELMoPretrainer(self.child_config("fw"))
        self.preparer.prepare()
        self.preparer.train_sents = self.preparer.heldout_sents = []  # the children load their own
        context = multiprocessing.get_context("spawn")  # a forked Paddle runtime is not safe
        with concurrent.futures.ProcessPoolExecutor(2, mp_context=context,
                                                    initializer=init_worker) as pool:
            futures = {d: pool.submit(_train_one, self.child_config(d)) for d in DIRECTIONS}
            for direction, future in futures.items():
                try:
                    self.results[direction] = future.result()
                except concurrent.futures.process.BrokenProcessPool:
                    raise RuntimeError("the %s pretraining process died; its checkpoint in %s "
                                       "is intact: run the same command again to resume"
                                       % (direction, self.config.work_dir)) from None
        return self.history()[-1]

    def history(self) -> List[Dict]:
        return merge_histories(self.results["fw"]["history"], self.results["bw"]["history"])

    def untrained(self) -> Dict:
        fw, bw = self.results["fw"]["untrained"], self.results["bw"]["untrained"]
        return {"fw_ppl": fw["fw_ppl"], "bw_ppl": bw["bw_ppl"], "tokens": fw["tokens"]}

    def encoder_weights(self) -> Dict:
        weights = {}
        for direction in DIRECTIONS:
            cfg = self.child_config(direction)
            path = ELMoPretrainer(cfg).latest_checkpoint()[0]
            names = parameter_names(self.preparer.bilm_config, (direction,)) + [
                cfg.softmax_bias_name()]
            state = params_io.load_state(path)
            weights.update({n: state[n] for n in names})
        return weights

    def export(self, output_dir: str, name: str = "elmo", version: str = "1.0.0",
               weights_dtype: str = "float16", extra: Optional[Dict] = None) -> str:
        logger.info("Writing the module of both directions to %s", output_dir)
        return write_module(output_dir, self.config, self.preparer.bilm_config,
                            self.preparer.vocab, self.encoder_weights(), self.history(),
                            self.untrained(), name=name, version=version,
                            weights_dtype=weights_dtype, extra=extra)
