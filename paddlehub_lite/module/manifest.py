"""The module directory format.

    <module>/
      module.json        manifest: name, version, type, network sizes, files and their sha256
      assets/vocab.txt   PaddleHub-format vocab: <S>, </S>, <UNK>, then words by frequency
      weights.npz        parameters by name; read with allow_pickle=False, so loading a module
                         can never execute code

Loading verifies every listed file's size and sha256 before anything is used.
"""
import io
import json
import os
from typing import Dict, Optional

import numpy as np

from paddlehub_lite.utils.atomic import atomic_dir
from paddlehub_lite.utils.download import sha256_file
from paddlehub_lite.utils.file_manifest import check_files

MANIFEST = "module.json"
FORMAT = "paddlehub_lite.module/1"
VOCAB_FILE = "assets/vocab.txt"
WEIGHTS_FILE = "weights.npz"


class ModuleFormatError(ValueError):
    """A module directory is incomplete, tampered with, or not in this format."""


def write_module_dir(output_dir: str, name: str, version: str, network: Dict, vocab,
                     weights: Dict[str, np.ndarray], module_type: str,
                     weights_dtype: str = "float32", info: Optional[Dict] = None) -> str:
    """Write a complete module directory atomically (``module_type``: the type registered in
    ``module/registry.py`` that opens it); returns its path."""
    if weights_dtype not in ("float32", "float16"):
        raise ValueError("weights_dtype must be float32 or float16, got %r" % weights_dtype)
    with atomic_dir(output_dir) as tmp:
        os.makedirs(os.path.join(tmp, "assets"))
        vocab.save(os.path.join(tmp, VOCAB_FILE))
        buffer = io.BytesIO()
        np.savez(buffer, **{k: v.astype(weights_dtype) for k, v in weights.items()})
        with open(os.path.join(tmp, WEIGHTS_FILE), "wb") as handle:
            handle.write(buffer.getvalue())
        files = {}
        for rel in (VOCAB_FILE, WEIGHTS_FILE):
            path = os.path.join(tmp, rel)
            files[rel] = {"sha256": sha256_file(path), "bytes": os.path.getsize(path)}
        manifest = {"format": FORMAT, "name": name, "version": version, "type": module_type,
                    "network": network, "weights_dtype": weights_dtype, "files": files,
                    "info": info or {}}
        with open(os.path.join(tmp, MANIFEST), "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=1, ensure_ascii=False)
            handle.write("\n")
    return output_dir


def read_manifest(module_dir: str, verify: bool = True) -> Dict:
    """Parse ``module.json`` and (by default) check every listed file's size and sha256."""
    path = os.path.join(module_dir, MANIFEST)
    if not os.path.isfile(path):
        raise ModuleFormatError("%s: not a paddlehub_lite module directory (no %s)"
                                % (module_dir, MANIFEST))
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (ValueError, UnicodeDecodeError) as err:
        raise ModuleFormatError("%s: unreadable manifest: %s" % (path, err)) from None
    for key in ("format", "name", "version", "type", "network", "files"):
        if key not in manifest:
            raise ModuleFormatError("%s: manifest lacks %r" % (path, key))
    if manifest["format"] != FORMAT:
        raise ModuleFormatError("%s: format %r is not %r" % (path, manifest["format"], FORMAT))
    for rel in (VOCAB_FILE, WEIGHTS_FILE):
        if rel not in manifest["files"]:
            raise ModuleFormatError("%s: manifest does not list %s" % (path, rel))
    if verify:
        check_files(module_dir, manifest["files"], ModuleFormatError)
    return manifest


def load_weights(module_dir: str) -> Dict[str, np.ndarray]:
    """Parameters by name, as float32; never unpickles."""
    path = os.path.join(module_dir, WEIGHTS_FILE)
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k].astype("float32") for k in data.files}
    except (ValueError, OSError) as err:
        raise ModuleFormatError("%s: unreadable weights: %s" % (path, err)) from None
