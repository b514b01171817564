"""Domain adaptation of a pretrained ELMo: continue its language-model training on a user's own
unlabelled text (ULMFiT's lesson: language-model finetuning on the task's text is the largest
lever for small labelled sets), and write a new module directory with its own model card.

    hub-lite adapt-elmo --module elmo --text my_texts.txt --output my_elmo [--minutes 10]

The text is plain lines or TSVs with a ``text_a`` column (e.g. a ``BaseNLPDataset`` train
file). Every 20th line is held out; the model card reports its perplexity before adaptation
(step 0) and after. The vocabulary stays the module's (the adapted module is a drop-in for
the original), so words the module does not know stay ``<UNK>``.
"""
import dataclasses
import hashlib
import os
from typing import Dict, List, Optional, Sequence

from paddlehub_lite.module.manifest import read_manifest
from paddlehub_lite.zoo.elmo.pretrain_config import PretrainConfig


@dataclasses.dataclass
class AdaptConfig:
    """An adaptation run.

    Args:
        module_dir: the module to start from.
        text_files: the user's text files (lines, or TSVs with a ``text_a`` column).
        work_dir: segmented text, checkpoints (default None: under
            ``$PADDLEHUB_LITE_HOME/cache/adapt/``, keyed by module and files).
        learning_rate: Adam's peak rate (default 5e-4: a quarter of pretraining's, so the
            general knowledge is kept).
        epochs: passes over the text (default 3).
        max_minutes: stop (with a checkpoint) after this much training (default None).
        max_steps: stop after this many steps (default None).
        save_every: steps between checkpoints (default 200, a few minutes here): a killed
            run rerun with the same command resumes from the last one, exactly (the held-out
            perplexity is evaluated only at the end).
        batch_tokens: padded tokens per batch (default 2048).
        num_sampled: softmax candidates per batch (default 2048).
        heldout_every: every N-th line is held out for perplexity (default 20).
        seed: default 1.
    """

    module_dir: str
    text_files: List[str]
    work_dir: Optional[str] = None
    learning_rate: float = 5e-4
    epochs: float = 3.0
    max_minutes: Optional[float] = None
    max_steps: Optional[int] = None
    save_every: int = 200
    batch_tokens: int = 2048
    num_sampled: int = 2048
    heldout_every: int = 20
    seed: int = 1

    def pretrain_config(self) -> PretrainConfig:
        manifest = read_manifest(self.module_dir)
        net = manifest["network"]
        pre = manifest.get("info", {}).get("pretraining", {})
        work_dir = self.work_dir or default_work_dir(self.module_dir, self.text_files)
        return PretrainConfig(
            corpus_files=[os.path.abspath(p) for p in self.text_files], work_dir=work_dir,
            vocab_size=net["vocab_size"], embed_dim=net["embed_dim"],
            hidden_size=net["hidden_size"], num_layers=net["num_layers"],
            dropout=net.get("dropout", 0.1), max_len=pre.get("max_len", 64),
            batch_tokens=self.batch_tokens, num_sampled=self.num_sampled,
            learning_rate=self.learning_rate, warmup_steps=0, epochs=self.epochs,
            max_steps=self.max_steps, max_minutes=self.max_minutes,
            heldout_every=self.heldout_every, heldout_max=10 ** 9, eval_every=10 ** 9,
            save_every=self.save_every,
            seed=self.seed, segmenter=pre.get("segmenter", "jieba"),
            directions="both" if net.get("shared_embedding", True) else "split",
            init_module=os.path.abspath(self.module_dir))


def default_work_dir(module_dir: str, text_files: Sequence[str]) -> str:
    from paddlehub_lite.env import cache_home
    digest = hashlib.sha256(read_manifest(module_dir, verify=False)["files"]["weights.npz"]
                            ["sha256"].encode())
    for path in text_files:
        digest.update(os.path.abspath(path).encode())
        digest.update(str(os.path.getsize(path)).encode())
    return os.path.join(cache_home(), "adapt", digest.hexdigest()[:16])


def adapt(config: AdaptConfig, output_dir: str, name: Optional[str] = None,
          command: Optional[str] = None) -> Dict:
    """Run the adaptation (resuming when its work dir has a checkpoint), write the module and
    its model card; returns the last held-out record (``fw_ppl``/``bw_ppl``) plus ``before``
    (the module's perplexities on the same held-out lines before adaptation) and ``path``."""
    from paddlehub_lite.zoo.elmo import model_card
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer
    from paddlehub_lite.zoo.elmo.pretrain_split import SplitPretrainer
    base = read_manifest(config.module_dir)
    pre_config = config.pretrain_config()
    trainer = (SplitPretrainer(pre_config) if pre_config.directions == "split"
               else ELMoPretrainer(pre_config))
    final = trainer.run()
    before = trainer.untrained() if isinstance(trainer, SplitPretrainer) \
        else trainer.state["untrained"]
    extra = {"adapted_from": {"name": base["name"], "version": base["version"],
                              "weights_sha256": base["files"]["weights.npz"]["sha256"]},
             "command": command or "(adapt-elmo, not recorded)"}
    path = trainer.export(output_dir, name=name or base["name"] + "_adapted",
                          version=base["version"] + "+adapted",
                          weights_dtype=base.get("weights_dtype", "float16"), extra=extra)
    model_card.write(path)
    return dict(final, before=before, path=path)
