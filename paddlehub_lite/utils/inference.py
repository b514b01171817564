"""Serving an exported model through ``paddle.inference`` (the accelerate_mode of predict)."""
from typing import Dict, Optional

import numpy as np


class InferencePredictor:
    """Loads ``<prefix>.json`` + ``<prefix>.pdiparams`` and runs feeds given by input name.

    Args:
        prefix: the path prefix given to ``paddle.static.save_inference_model``.
        num_threads: CPU math threads (default None: Paddle's default).
        use_onednn: run Paddle's oneDNN CPU kernels (default False: on this project's
            classifier they made the head 3x slower, its broadcasting multiplies 6x).
    """

    def __init__(self, prefix: str, num_threads: Optional[int] = None, use_onednn: bool = False):
        import paddle.inference as inference
        config = inference.Config(prefix + ".json", prefix + ".pdiparams")
        config.disable_glog_info()
        config.disable_gpu()
        if not use_onednn:
            config.disable_onednn()
        if num_threads:
            config.set_cpu_math_library_num_threads(num_threads)
        self.predictor = inference.create_predictor(config)
        self.input_names = self.predictor.get_input_names()
        self.output_name = self.predictor.get_output_names()[0]

    def __call__(self, feed: Dict[str, np.ndarray]) -> np.ndarray:
        for name in self.input_names:
            handle = self.predictor.get_input_handle(name)
            value = feed[name]
            handle.reshape(value.shape)
            handle.copy_from_cpu(np.ascontiguousarray(value))
        self.predictor.run()
        return self.predictor.get_output_handle(self.output_name).copy_to_cpu()
