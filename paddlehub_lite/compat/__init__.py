"""Compatibility layers for code written against older APIs (``compat.fluid``: PaddleHub 1.x
network code written in ``paddle.fluid``)."""
