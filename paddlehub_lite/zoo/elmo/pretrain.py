"""Pretrain the Chinese biLM and write a module directory.

Work happens in ``work_dir``: the segmented corpus and vocab (reused on resume), a checkpoint
(``ckpt/``: the engine's ``Checkpointer``), and the log; ``run()`` resumes from the
checkpoint. The softmax is sampled per batch (all targets of the batch plus uniform negatives, see
``corpus.sample_candidates``) so that a 30k vocabulary is affordable on CPU; perplexity is
always measured with the full softmax on a held-out slice of the corpus.

``directions`` picks how the two language models train: ``"both"`` in one program with one
shared embedding (ELMo's layout), or ``"fw"`` / ``"bw"`` alone, each with its own embedding and
checkpoint (``ckpt_fw/``, ``ckpt_bw/``), so that two processes of one thread each train them side
by side (``pretrain_split.py``; 1.24x the corpus tokens/s of one two-thread process on 2
cores: ``bench/elmo_throughput.py``).

Resume is exact: the batch order is a function of (seed, epoch), each step's sampled candidates
and dropout masks of (seed, step): a resumed run ends with the weights of an unbroken one.
"""
import math
import os
import time
from typing import Dict, List, Optional

import numpy as np
import paddle
import paddle.nn.functional as F

from paddlehub_lite.zoo.elmo import corpus
from paddlehub_lite.zoo.elmo.network import DIRECTIONS, BiLM, BiLMConfig
from paddlehub_lite.zoo.elmo.pretrain_checkpoint import HeldOut, PretrainCheckpoints
from paddlehub_lite.zoo.elmo.pretrain_config import PretrainConfig, step_seed  # noqa: F401
from paddlehub_lite.zoo.elmo.write_module import write_module
from paddlehub_lite.reader.vocab import Vocab
from paddlehub_lite.utils import params_io
from paddlehub_lite.utils.log import logger
from paddlehub_lite.utils.run_lock import RunLock
from paddlehub_lite.utils.scope import init_missing

NAMES = {"fw": "forward", "bw": "backward"}


def _format_ppl(ppl: Dict) -> str:
    return ", ".join("%s %.1f" % (NAMES[d], ppl[d + "_ppl"]) for d in DIRECTIONS
                     if d + "_ppl" in ppl)


class ELMoPretrainer(PretrainCheckpoints, HeldOut):
    """Pretrains a biLM as configured by a ``PretrainConfig``; see the module docstring."""

    def __init__(self, config: PretrainConfig):
        self.config = config
        self.vocab: Optional[Vocab] = None
        self.bilm_config: Optional[BiLMConfig] = None
        self.train_sents: List[List[int]] = []
        self.heldout_sents: List[List[int]] = []
        self.scope = paddle.static.Scope()
        self.state: Dict = {"epoch": 0, "batch": 0, "step": 0, "train_seconds": 0.0,
                            "history": []}

    # ----- data -------------------------------------------------------------------------------
    def segmented_corpus(self) -> List[List[str]]:
        """The corpus as word lists, segmented once and cached in ``work_dir/segmented.txt``."""
        cfg = self.config
        return corpus.segmented(cfg.corpus_files, os.path.join(cfg.work_dir, "segmented.txt"),
                                cfg.segmenter)

    def split_heldout(self, token_lists: List[List[str]]):
        return corpus.split_heldout(token_lists, self.config.heldout_every,
                                    self.config.heldout_max)

    def prepare(self) -> None:
        """Segment the corpus (cached in work_dir), split held-out, build or load the vocab."""
        cfg = self.config
        train_tokens, heldout_tokens = self.split_heldout(self.segmented_corpus())
        vocab_path = os.path.join(cfg.work_dir, "vocab.txt")
        if os.path.exists(vocab_path):
            self.vocab = Vocab.load(vocab_path)
        elif cfg.init_module:
            self.vocab = Vocab.load(os.path.join(cfg.init_module, "assets", "vocab.txt"))
            self.vocab.save(vocab_path)
        else:
            self.vocab = Vocab.build(train_tokens, max_size=cfg.vocab_size, min_freq=cfg.min_freq)
            self.vocab.save(vocab_path)
        self.bilm_config = BiLMConfig(vocab_size=len(self.vocab), embed_dim=cfg.embed_dim,
                                      hidden_size=cfg.hidden_size, num_layers=cfg.num_layers,
                                      dropout=cfg.dropout, pad_id=0,
                                      shared_embedding=cfg.directions == "both")
        self.train_sents = [c for t in train_tokens
                            for c in corpus.chunk(self.vocab.map_tokens(t), cfg.max_len)]
        self.heldout_sents = [c for t in heldout_tokens
                              for c in corpus.chunk(self.vocab.map_tokens(t), cfg.max_len)]
        n_tok = sum(len(s) for s in self.train_sents)
        unk = self.vocab.unk_id
        n_unk = sum(1 for s in self.train_sents for i in s if i == unk)
        logger.info("Vocab %d words; train %d windows / %d tokens (%.2f%% <UNK>); held-out %d windows",
                    len(self.vocab), len(self.train_sents), n_tok, 100.0 * n_unk / max(1, n_tok),
                    len(self.heldout_sents))

    # ----- programs ---------------------------------------------------------------------------
    def _build_programs(self, steps_planned: int) -> None:
        cfg, bcfg = self.config, self.bilm_config
        directions = cfg.built_directions
        self.train_prog, self.startup = paddle.static.Program(), paddle.static.Program()
        # Only the startup program is seeded: a seeded main program replays one dropout mask
        # in every step (measured); each step's masks come from paddle.seed(step_seed(...)).
        self.startup.random_seed = cfg.seed
        # A fresh name generator: optimizer accumulators are named "<param>_moment1_<n>", and
        # the checkpoint must find the same names when the program is rebuilt in one process.
        with paddle.utils.unique_name.guard(), \
                paddle.static.program_guard(self.train_prog, self.startup):
            bilm, tops = self._forward(bcfg, directions, dropout=bcfg.dropout)
            cand = paddle.static.data("candidates", [-1], "int64")
            softmax_b = paddle.create_parameter(
                [bcfg.vocab_size], "float32",
                attr=paddle.ParamAttr(name=cfg.softmax_bias_name(),
                                      initializer=paddle.nn.initializer.Constant(0.0)))
            bias = paddle.gather(softmax_b, cand)
            self.losses = {}
            for d in directions:
                targets = paddle.static.data(d + "_targets", [-1, -1], "int64")
                weight = paddle.gather(bilm.embedding_weight(d), cand)
                self.losses[d] = self._sampled_loss(tops[d], weight, bias, targets)
            loss = paddle.add_n(list(self.losses.values())) / len(directions)
            self.lr = paddle.optimizer.lr.LambdaDecay(
                cfg.learning_rate, lr_lambda=self._lr_factor(steps_planned))
            opt = paddle.optimizer.Adam(
                self.lr, grad_clip=paddle.nn.ClipGradByGlobalNorm(cfg.clip_norm))
            opt.minimize(loss)
            # Set from self.lr before every run (its state is the checkpoint's), so not saved:
            # its stored shape differs between a fresh program and a trained one (observed).
            self.lr_name = opt._global_learning_rate().name
        # Full-softmax evaluation program; shares parameters with training through the scope.
        self.eval_prog, eval_startup = paddle.static.Program(), paddle.static.Program()
        with paddle.static.program_guard(self.eval_prog, eval_startup):
            bilm, tops = self._forward(bcfg, directions, dropout=0.0)
            softmax_b = paddle.create_parameter([bcfg.vocab_size], "float32",
                                                attr=paddle.ParamAttr(name=cfg.softmax_bias_name()))
            self.eval_nll = {}
            for d in directions:
                targets = paddle.static.data(d + "_targets", [-1, -1], "int64")
                self.eval_nll[d] = self._full_nll(tops[d], bilm.embedding_weight(d), softmax_b,
                                                  targets)
        self.eval_startup = eval_startup

    @staticmethod
    def _forward(bcfg: BiLMConfig, directions, dropout: float):
        ids = paddle.static.data("word_ids", [-1, -1], "int64")
        lens = paddle.static.data("seq_len", [-1], "int64")
        bilm = BiLM(bcfg, trainable=True, directions=directions)
        out = bilm(ids, lens, dropout=dropout)
        return bilm, {d: out[d][-1] for d in directions}

    @staticmethod
    def _logits(hidden, weight, bias):
        """``hidden @ weight.T + bias`` as one product, the bias an extra column of the weight
        against a column of ones: the backward of a [B, T, C] + [C] broadcast add (Paddle sums
        it over B and T with a generic reduction) took ~20% of a pretraining step (profiled;
        the softmax layer of a 4,096-token batch: 310 -> 166 ms a step, 1 thread)."""
        ones = paddle.ones_like(hidden[:, :, :1])
        return paddle.matmul(paddle.concat([hidden, ones], axis=-1),
                             paddle.concat([weight, bias.unsqueeze(1)], axis=-1), transpose_y=True)

    def _sampled_loss(self, hidden, weight, bias, targets):
        return F.cross_entropy(self._logits(hidden, weight, bias), targets.unsqueeze(-1),
                               ignore_index=corpus.IGNORE_INDEX)

    def _full_nll(self, hidden, weight, bias, targets):
        return F.cross_entropy(self._logits(hidden, weight, bias), targets.unsqueeze(-1),
                               ignore_index=corpus.IGNORE_INDEX, reduction="sum")

    def _lr_factor(self, steps_planned: int):
        warmup = max(1, self.config.warmup_steps)

        def factor(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            progress = min(1.0, (step - warmup) / max(1, steps_planned - warmup))
            return 1.0 - 0.9 * progress
        return factor

    # ----- training ---------------------------------------------------------------------------
    def run(self) -> Dict:
        """Train (resuming if a checkpoint exists); returns the final held-out perplexities.
        One process at a time may train into a checkpoint (``utils/run_lock.py``)."""
        # Paddle's executor reads LR-scheduler variables from the *global* scope, so the run
        # happens with our own scope installed as the global one.
        with RunLock(self.config.work_dir, ".lock-" + self.config.checkpoint_name()), \
                paddle.static.scope_guard(self.scope):
            return self._run()

    def _run(self) -> Dict:
        from tqdm import tqdm

        cfg = self.config
        if cfg.directions == "split":
            raise ValueError("directions='split' runs in two processes: use pretrain_split.run")
        paddle.enable_static()
        paddle.base.core.set_num_threads(cfg.threads)
        if self.vocab is None:
            self.prepare()
        per_epoch = len(corpus.make_batches(self.train_sents, cfg.batch_tokens,
                                            np.random.default_rng(cfg.seed)))
        steps_planned = int(math.ceil(per_epoch * cfg.epochs))
        if cfg.max_steps is not None:
            steps_planned = min(steps_planned, cfg.max_steps)
        self._build_programs(steps_planned)
        exe = paddle.static.Executor(paddle.CPUPlace())
        exe.run(self.startup, scope=self.scope)  # creates every variable; a checkpoint then
        init_missing(self.eval_startup, self.scope, exe)  # overwrites them (load needs them)
        if not self._load_checkpoint() and cfg.init_module:
            self._load_module_weights()
        if "untrained" not in self.state:   # the start: random, or init_module's weights
            ppl = self.perplexity(exe)
            logger.info("Held-out perplexity at the start (%s): %s",
                        "the weights of %s" % cfg.init_module if cfg.init_module else "untrained",
                        _format_ppl(ppl))
            self.state["untrained"] = ppl
        bar = tqdm(total=steps_planned, initial=self.state["step"], desc="pretrain", unit="step",
                   mininterval=5, disable=None if cfg.directions == "both" else True)
        tokens_seen, run_start = 0, time.time()
        start_seconds = self.state["train_seconds"]
        stopped_early = False
        while self.state["step"] < steps_planned and not stopped_early:
            epoch = self.state["epoch"]
            batches = corpus.make_batches(self.train_sents, cfg.batch_tokens,
                                          np.random.default_rng(cfg.seed + epoch))
            while self.state["batch"] < len(batches) and self.state["step"] < steps_planned:
                batch = [self.train_sents[i] for i in batches[self.state["batch"]]]
                ids, lens, fw, bw = corpus.lm_arrays(batch, self.vocab, self.bilm_config.pad_id)
                seed = step_seed(cfg.seed, self.state["step"])
                cand, fw_l, bw_l = corpus.sample_candidates(
                    fw, bw, len(self.vocab), cfg.num_sampled, np.random.default_rng(seed),
                    directions=cfg.built_directions)
                targets = {"fw": fw_l, "bw": bw_l}
                feed = {"word_ids": ids, "seq_len": lens, "candidates": cand}
                feed.update({d + "_targets": targets[d] for d in self.losses})
                paddle.seed(seed)
                losses = dict(zip(self.losses, exe.run(
                    self.train_prog, scope=self.scope, feed=feed,
                    fetch_list=list(self.losses.values()))))
                self.lr.step()
                self.state["batch"] += 1
                self.state["step"] += 1
                tokens_seen += int(lens.sum())
                elapsed = time.time() - run_start
                self.state["train_seconds"] = start_seconds + elapsed
                bar.update(1)
                if self.state["step"] % cfg.log_every == 0:
                    speed = tokens_seen / max(elapsed, 1e-6)
                    loss_text = " ".join("%s loss=%.4f" % (NAMES[d], float(v))
                                         for d, v in losses.items())
                    bar.set_postfix(tok_s=int(speed))
                    logger.info("step %d / %d: %s lr=%.2e [tokens/sec: %.0f]", self.state["step"],
                                steps_planned, loss_text, self.lr.last_lr, speed)
                out_of_time = (cfg.max_minutes is not None
                               and self.state["train_seconds"] > 60 * cfg.max_minutes)
                if self.state["step"] % cfg.eval_every == 0 or out_of_time:
                    self._evaluate_and_save(exe, tokens_seen / max(elapsed, 1e-6))
                elif cfg.save_every and self.state["step"] % cfg.save_every == 0:
                    self._save_checkpoint()
                if out_of_time:
                    logger.info("max_minutes=%s reached; stopping", cfg.max_minutes)
                    stopped_early = True
                    break
            if not stopped_early and self.state["batch"] >= len(batches):
                self.state["epoch"] += 1
                self.state["batch"] = 0
        bar.close()
        history = self.state["history"]
        if history and history[-1]["step"] == self.state["step"]:
            return history[-1]  # just evaluated and saved (max_minutes, or eval_every)
        elapsed = time.time() - run_start
        return self._evaluate_and_save(exe, tokens_seen / max(elapsed, 1e-6))

    def _evaluate_and_save(self, exe, tokens_per_second: float) -> Dict:
        ppl = self.perplexity(exe)
        record = dict(step=self.state["step"], epoch=self.state["epoch"],
                      train_seconds=round(self.state["train_seconds"], 1),
                      tokens_per_second=round(tokens_per_second, 1), **ppl)
        self.state["history"].append(record)
        logger.info("step %d: held-out perplexity %s [%.0f train tokens/s]", record["step"],
                    _format_ppl(ppl), tokens_per_second)
        self._save_checkpoint()
        return record

    # ----- export -----------------------------------------------------------------------------
    def encoder_weights(self) -> Dict[str, np.ndarray]:
        """What a module ships, as float32: the biLM encoder and the language-model softmax
        bias (the softmax weights are the tied embedding), so that the language model can be
        evaluated and trained further (``hub-lite adapt-elmo``)."""
        names = [p.name for p in self.train_prog.global_block().all_parameters()
                 if p.name.startswith("elmo_")]
        return params_io.read_state(self.scope, names)

    def export(self, output_dir: str, name: str = "elmo", version: str = "1.0.0",
               weights_dtype: str = "float16", extra: Optional[Dict] = None) -> str:
        return write_module(output_dir, self.config, self.bilm_config, self.vocab,
                            self.encoder_weights(), self.state.get("history", []),
                            self.state.get("untrained"), name=name, version=version,
                            weights_dtype=weights_dtype, extra=extra)
