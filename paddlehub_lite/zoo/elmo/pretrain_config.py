"""``PretrainConfig``: everything that decides a biLM pretraining run (stored in the module
manifest), and the per-step seed that makes a resumed run exact."""
import dataclasses
from typing import List, Optional



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
        save_every: steps between checkpoints without an evaluation, in between those
            (default None: checkpoints at evaluations only; ``adapt-elmo`` sets it).
        log_every: steps between progress log lines (default 100).
        seed: default 1.
        segmenter: "jieba" (default) or "lac".
        threads: CPU threads for Paddle (default 2).
        init_module: continue from this module directory's vocabulary and weights instead of
            building a vocabulary and starting from random values (default None; used by
            ``hub-lite adapt-elmo``; the sizes above must then be the module's).
        directions: "both" (default: one program, shared embedding); "fw" / "bw" (one
            language model with its own embedding); "split" (both, each with its own
            embedding, trained as "fw" and "bw" in two processes by ``pretrain_split.run``).
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
    save_every: Optional[int] = None
    log_every: int = 100
    seed: int = 1
    segmenter: str = "jieba"
    threads: int = 2
    directions: str = "both"
    init_module: Optional[str] = None

    def __post_init__(self):
        if self.directions not in ("both", "split", "fw", "bw"):
            raise ValueError("directions must be 'both', 'split', 'fw' or 'bw', got %r"
                             % self.directions)

    @property
    def built_directions(self):
        from paddlehub_lite.zoo.elmo.network import DIRECTIONS   # Paddle: only when built
        return (self.directions,) if self.directions in DIRECTIONS else DIRECTIONS

    def checkpoint_name(self) -> str:
        return "ckpt" if self.directions == "both" else "ckpt_" + self.directions

    def softmax_bias_name(self) -> str:
        return ("elmo_softmax_b" if self.directions == "both"
                else "elmo_%s_softmax_b" % self.directions)


def step_seed(seed: int, step: int) -> int:
    """The random seed of one pretraining step (candidates and dropout)."""
    return (seed * 1000003 + step) % (2 ** 31)
