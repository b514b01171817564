"""Pretrain the Chinese biLM and write a module directory.

Work happens in ``work_dir``: the segmented corpus and vocab (reused on resume), a checkpoint
(``ckpt/``, replaced atomically), and the log. ``run()`` resumes from the checkpoint when one is
there. The softmax is sampled per batch (all targets of the batch plus uniform negatives, see
``corpus.sample_candidates``) so that a 30k vocabulary is affordable on CPU; perplexity is
always measured with the full softmax on a held-out slice of the corpus.
"""
import dataclasses
import json
import math
import os
import time
from typing import Dict, List, Optional

import numpy as np
import paddle
import paddle.nn.functional as F

from paddlehub_lite.modules.elmo import corpus
from paddlehub_lite.modules.elmo.network import BiLM, BiLMConfig
from paddlehub_lite.reader.segmenter import get_segmenter
from paddlehub_lite.reader.vocab import Vocab
from paddlehub_lite.utils import params_io
from paddlehub_lite.utils.atomic import atomic_dir, atomic_file
from paddlehub_lite.utils.log import logger
from paddlehub_lite.utils.scope import init_missing


@dataclasses.dataclass
class PretrainConfig:
    """Everything that decides a pretraining run (stored in the module manifest).

    Args:
        corpus_files: text files (one sentence a line) or TSVs with a ``text_a`` column.
        work_dir: where the segmented corpus, vocab and checkpoint live.
        vocab_size: the largest vocabulary, special tokens included (default 30000).
        min_freq: the least count for a word to enter the vocabulary (default 3).
        embed_dim / hidden_size / num_layers / dropout: see ``BiLMConfig``.
        max_len: sentences are cut into windows of at most this many words (default 64).
        batch_tokens: padded tokens per batch (default 2048).
        num_sampled: softmax candidates per batch (default 4096).
        learning_rate: Adam's peak rate (default 2e-3), linear warmup over ``warmup_steps`` then
            linear decay to 10% at the planned end of training.
        warmup_steps: default 200.
        clip_norm: global gradient-norm clip (default 5.0).
        epochs: passes over the corpus (default 2).
        max_steps: stop after this many steps even if ``epochs`` is not reached (default None).
        max_minutes: stop early (with a checkpoint) after this much training time (default none).
        heldout_every: every N-th sentence is held out for perplexity (default 100).
        heldout_max: at most this many held-out sentences (default 3000).
        eval_every: steps between held-out evaluations and checkpoints (default 1000).
        log_every: steps between progress log lines (default 100).
        seed: default 1.
        segmenter: "jieba" (default) or "lac".
        threads: CPU threads for Paddle (default 2).
    """

    corpus_files: List[str]
    work_dir: str
    vocab_size: int = 30000
    min_freq: int = 3
    embed_dim: int = 128
    hidden_size: int = 512
    num_layers: int = 2
    dropout: float = 0.1
    max_len: int = 64
    batch_tokens: int = 2048
    num_sampled: int = 4096
    learning_rate: float = 2e-3
    warmup_steps: int = 200
    clip_norm: float = 5.0
    epochs: float = 2.0
    max_steps: Optional[int] = None
    max_minutes: Optional[float] = None
    heldout_every: int = 100
    heldout_max: int = 3000
    eval_every: int = 1000
    log_every: int = 100
    seed: int = 1
    segmenter: str = "jieba"
    threads: int = 2


class ELMoPretrainer:
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
    def _segmented_path(self) -> str:
        return os.path.join(self.config.work_dir, "segmented.txt")

    def prepare(self) -> None:
        """Segment the corpus (cached in work_dir), split held-out, build or load the vocab."""
        cfg = self.config
        os.makedirs(cfg.work_dir, exist_ok=True)
        seg_path = self._segmented_path()
        if os.path.exists(seg_path):
            with open(seg_path, encoding="utf-8") as handle:
                token_lists = [line.split(" ") if line else [] for line in handle.read().split("\n")[:-1]]
            logger.info("Loaded %d segmented sentences from %s", len(token_lists), seg_path)
        else:
            texts = []
            for path in corpus.iter_token_files(cfg.corpus_files):
                lines = corpus.read_corpus_lines(path)
                logger.info("Corpus %s: %d sentences", path, len(lines))
                texts.extend(lines)
            start = time.time()
            segmenter = get_segmenter(cfg.segmenter)
            token_lists = segmenter.segment_many(texts, processes=max(1, os.cpu_count() or 1))
            logger.info("Segmented %d sentences in %.1fs", len(texts), time.time() - start)
            with atomic_file(seg_path, "w", encoding="utf-8") as handle:
                for tokens in token_lists:
                    handle.write(" ".join(tokens) + "\n")
        heldout_idx = set(range(0, len(token_lists), cfg.heldout_every)[: cfg.heldout_max])
        train_tokens = [t for i, t in enumerate(token_lists) if i not in heldout_idx and t]
        heldout_tokens = [token_lists[i] for i in sorted(heldout_idx) if token_lists[i]]
        vocab_path = os.path.join(cfg.work_dir, "vocab.txt")
        if os.path.exists(vocab_path):
            self.vocab = Vocab.load(vocab_path)
        else:
            self.vocab = Vocab.build(train_tokens, max_size=cfg.vocab_size, min_freq=cfg.min_freq)
            self.vocab.save(vocab_path)
        self.bilm_config = BiLMConfig(vocab_size=len(self.vocab), embed_dim=cfg.embed_dim,
                                      hidden_size=cfg.hidden_size, num_layers=cfg.num_layers,
                                      dropout=cfg.dropout, pad_id=0)
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
        self.train_prog, self.startup = paddle.static.Program(), paddle.static.Program()
        self.train_prog.random_seed = cfg.seed
        self.startup.random_seed = cfg.seed
        # A fresh name generator: optimizer accumulators are named "<param>_moment1_<n>", and
        # the checkpoint must find the same names when the program is rebuilt in one process.
        with paddle.utils.unique_name.guard(), \
                paddle.static.program_guard(self.train_prog, self.startup):
            ids, lens, bilm, top_fw, top_bw = self._forward(bcfg, dropout=bcfg.dropout)
            cand = paddle.static.data("candidates", [-1], "int64")
            fw_t = paddle.static.data("fw_targets", [-1, -1], "int64")
            bw_t = paddle.static.data("bw_targets", [-1, -1], "int64")
            softmax_b = paddle.create_parameter(
                [bcfg.vocab_size], "float32",
                attr=paddle.ParamAttr(name="elmo_softmax_b",
                                      initializer=paddle.nn.initializer.Constant(0.0)))
            weight = paddle.gather(bilm.embedding_weight, cand)
            bias = paddle.gather(softmax_b, cand)
            self.fw_loss = self._sampled_loss(top_fw, weight, bias, fw_t)
            self.bw_loss = self._sampled_loss(top_bw, weight, bias, bw_t)
            loss = (self.fw_loss + self.bw_loss) / 2
            self.lr = paddle.optimizer.lr.LambdaDecay(
                cfg.learning_rate, lr_lambda=self._lr_factor(steps_planned))
            opt = paddle.optimizer.Adam(
                self.lr, grad_clip=paddle.nn.ClipGradByGlobalNorm(cfg.clip_norm))
            opt.minimize(loss)
        # Full-softmax evaluation program; shares parameters with training through the scope.
        self.eval_prog, eval_startup = paddle.static.Program(), paddle.static.Program()
        with paddle.static.program_guard(self.eval_prog, eval_startup):
            _, _, bilm, top_fw, top_bw = self._forward(bcfg, dropout=0.0)
            softmax_b = paddle.create_parameter([bcfg.vocab_size], "float32",
                                                attr=paddle.ParamAttr(name="elmo_softmax_b"))
            fw_t = paddle.static.data("fw_targets", [-1, -1], "int64")
            bw_t = paddle.static.data("bw_targets", [-1, -1], "int64")
            self.eval_fw_nll = self._full_nll(top_fw, bilm.embedding_weight, softmax_b, fw_t)
            self.eval_bw_nll = self._full_nll(top_bw, bilm.embedding_weight, softmax_b, bw_t)
        self.eval_startup = eval_startup

    @staticmethod
    def _forward(bcfg: BiLMConfig, dropout: float):
        ids = paddle.static.data("word_ids", [-1, -1], "int64")
        lens = paddle.static.data("seq_len", [-1], "int64")
        bilm = BiLM(bcfg, trainable=True)
        out = bilm(ids, lens, dropout=dropout)
        return ids, lens, bilm, out["fw"][-1], out["bw"][-1]

    @staticmethod
    def _sampled_loss(hidden, weight, bias, targets):
        logits = paddle.matmul(hidden, weight, transpose_y=True) + bias
        return F.cross_entropy(logits, targets.unsqueeze(-1), ignore_index=corpus.IGNORE_INDEX)

    @staticmethod
    def _full_nll(hidden, weight, bias, targets):
        logits = paddle.matmul(hidden, weight, transpose_y=True) + bias
        return F.cross_entropy(logits, targets.unsqueeze(-1), ignore_index=corpus.IGNORE_INDEX,
                               reduction="sum")

    def _lr_factor(self, steps_planned: int):
        warmup = max(1, self.config.warmup_steps)

        def factor(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            progress = min(1.0, (step - warmup) / max(1, steps_planned - warmup))
            return 1.0 - 0.9 * progress
        return factor

    # ----- evaluation -------------------------------------------------------------------------
    def perplexity(self, exe) -> Dict[str, float]:
        """Full-softmax forward and backward perplexity on the held-out windows."""
        rng = np.random.default_rng(0)
        batches = corpus.make_batches(self.heldout_sents, 4096, rng)
        nll_fw = nll_bw = 0.0
        count = 0
        for batch in batches:
            ids, lens, fw, bw = corpus.lm_arrays([self.heldout_sents[i] for i in batch],
                                                 self.vocab, self.bilm_config.pad_id)
            out = exe.run(self.eval_prog, feed={"word_ids": ids, "seq_len": lens,
                                                "fw_targets": fw, "bw_targets": bw},
                          fetch_list=[self.eval_fw_nll, self.eval_bw_nll], scope=self.scope)
            nll_fw += float(out[0])
            nll_bw += float(out[1])
            count += int(lens.sum())
        return {"fw_ppl": math.exp(nll_fw / count), "bw_ppl": math.exp(nll_bw / count),
                "tokens": count}

    # ----- checkpoints ------------------------------------------------------------------------
    def _ckpt_dir(self) -> str:
        return os.path.join(self.config.work_dir, "ckpt")

    def _save_checkpoint(self) -> None:
        with atomic_dir(self._ckpt_dir()) as tmp:
            names = params_io.state_names(self.train_prog)
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
                          params_io.state_names(self.train_prog))
        self.lr.set_state_dict(state.pop("lr_state"))
        self.state = state
        logger.info("Pretraining checkpoint loaded: epoch=%d, batch=%d, step=%d",
                    state["epoch"], state["batch"], state["step"])
        return True

    # ----- training ---------------------------------------------------------------------------
    def run(self) -> Dict:
        """Train (resuming if a checkpoint exists); returns the final held-out perplexities."""
        # Paddle's executor reads LR-scheduler variables from the *global* scope, so the run
        # happens with our own scope installed as the global one.
        with paddle.static.scope_guard(self.scope):
            return self._run()

    def _run(self) -> Dict:
        from tqdm import tqdm

        cfg = self.config
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
        self._load_checkpoint()
        if "untrained" not in self.state:
            ppl = self.perplexity(exe)
            logger.info("Untrained held-out perplexity: forward %.1f, backward %.1f",
                        ppl["fw_ppl"], ppl["bw_ppl"])
            self.state["untrained"] = ppl
        sample_rng = np.random.default_rng(cfg.seed + 7919 * (self.state["step"] + 1))
        bar = tqdm(total=steps_planned, initial=self.state["step"], desc="pretrain", unit="step",
                   mininterval=5, disable=None)
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
                cand, fw_l, bw_l = corpus.sample_candidates(fw, bw, len(self.vocab),
                                                            cfg.num_sampled, sample_rng)
                fw_loss, bw_loss = exe.run(
                    self.train_prog, scope=self.scope,
                    feed={"word_ids": ids, "seq_len": lens, "candidates": cand,
                          "fw_targets": fw_l, "bw_targets": bw_l},
                    fetch_list=[self.fw_loss, self.bw_loss])
                self.lr.step()
                self.state["batch"] += 1
                self.state["step"] += 1
                tokens_seen += int(lens.sum())
                elapsed = time.time() - run_start
                self.state["train_seconds"] = start_seconds + elapsed
                bar.update(1)
                if self.state["step"] % cfg.log_every == 0:
                    speed = tokens_seen / max(elapsed, 1e-6)
                    bar.set_postfix(fw=float(fw_loss), bw=float(bw_loss), tok_s=int(speed))
                    logger.info("step %d / %d: forward loss=%.4f backward loss=%.4f "
                                "lr=%.2e [tokens/sec: %.0f]", self.state["step"], steps_planned,
                                float(fw_loss), float(bw_loss), self.lr.last_lr, speed)
                out_of_time = (cfg.max_minutes is not None
                               and self.state["train_seconds"] > 60 * cfg.max_minutes)
                if self.state["step"] % cfg.eval_every == 0 or out_of_time:
                    self._evaluate_and_save(exe, tokens_seen / max(elapsed, 1e-6))
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
        logger.info("step %d: held-out perplexity forward %.1f, backward %.1f "
                    "[%.0f train tokens/s]", record["step"], ppl["fw_ppl"], ppl["bw_ppl"],
                    tokens_per_second)
        self._save_checkpoint()
        return record

    # ----- export -----------------------------------------------------------------------------
    def encoder_weights(self) -> Dict[str, np.ndarray]:
        """The biLM encoder's parameters (everything but the softmax bias), as float32."""
        names = [p.name for p in self.train_prog.global_block().all_parameters()
                 if p.name.startswith("elmo_") and p.name != "elmo_softmax_b"]
        return params_io.read_state(self.scope, names)

    def export(self, output_dir: str, name: str = "elmo", version: str = "1.0.0",
               weights_dtype: str = "float16", extra: Optional[Dict] = None) -> str:
        from paddlehub_lite.module.manifest import write_module_dir

        info = {"pretraining": dataclasses.asdict(self.config),
                "history": self.state.get("history", []),
                "untrained": self.state.get("untrained")}
        info["pretraining"]["corpus_files"] = [os.path.basename(p) for p in self.config.corpus_files]
        info["pretraining"]["work_dir"] = None
        info.update(extra or {})
        return write_module_dir(output_dir, name=name, version=version,
                                network=self.bilm_config.to_dict(), vocab=self.vocab,
                                weights=self.encoder_weights(), weights_dtype=weights_dtype,
                                info=info)
