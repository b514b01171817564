"""After training: classify texts with a trained model, without the training script.

``TextClassifier(checkpoint_dir)`` loads the best model's bundle (``finetune/bundle.py``);
``hub-lite predict`` classifies a file with it (``predict_file.py``) and ``hub-lite serve``
answers HTTP requests (``server.py``).
"""
from paddlehub_lite.deploy.classifier import TextClassifier

__all__ = ["TextClassifier"]
