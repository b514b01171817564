"""``TrainerState``: where a training run is, saved with every checkpoint as ``trainer.json``."""
import dataclasses
from typing import Dict, Optional


@dataclasses.dataclass
class TrainerState:
    """The position and bookkeeping of a run (the data order itself is a function of the seed
    and the epoch, see ``batching.py``, so it is not stored).

    Attributes:
        epoch: the epoch in progress, from 0 (default 0).
        batch_index: batches of that epoch already trained (default 0).
        global_step: optimizer steps so far (default 0).
        best_score: the best dev score of the first metric so far (default -999.0).
        seed: the run's seed (default None).
        scheduler: the learning-rate scheduler's state dict (default empty).
        settings: what the run trains with (``run_settings.py``; default None).
        evals_without_improvement: consecutive dev evaluations without a new best (default 0).
        stopped_early: training ended by ``early_stopping_patience`` (default False).
        extra: what else a run keeps with its position (JSON; pretraining: its training time
            and perplexity history; default empty).
    """

    epoch: int = 0
    batch_index: int = 0
    global_step: int = 0
    best_score: float = -999.0
    seed: Optional[int] = None
    scheduler: Dict = dataclasses.field(default_factory=dict)
    settings: Optional[Dict] = None
    evals_without_improvement: int = 0
    stopped_early: bool = False
    extra: Dict = dataclasses.field(default_factory=dict)

    def to_dict(self) -> Dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Dict) -> "TrainerState":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
