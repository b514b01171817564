"""``RunState``: what one batch (or a sum of batches) produced, as in PaddleHub 1.x."""
import time
from typing import List, Optional


class RunState:
    """Results of running ``run_step`` batches.

    Attributes:
        run_results: fetched values; for classifier prediction ``run_results[0]`` is the
            [batch, num_classes] probability array.
        run_step, run_examples: batches and examples counted.
        run_time_used, run_speed: seconds since creation and steps per second (``update()``).
        learning_rate: the global rate a training step ran with (None outside training).
    """

    def __init__(self, length: int = 0, run_results: Optional[List] = None):
        self.run_time_begin = time.time()
        self.run_step = 0
        self.run_examples = 0
        self.run_results = run_results if run_results is not None else [0] * length
        self.run_time_used = 0.0
        self.run_speed = 0.0
        self.learning_rate: Optional[float] = None

    def update(self) -> "RunState":
        self.run_time_used = time.time() - self.run_time_begin
        self.run_speed = self.run_step / self.run_time_used if self.run_time_used > 0 else 0.0
        return self

    def __repr__(self) -> str:
        return "RunState(run_step=%d, run_examples=%d)" % (self.run_step, self.run_examples)
