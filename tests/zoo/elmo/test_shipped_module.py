"""The shipped ``elmo`` module, loaded by name in a fresh home as a user gets it: its files
match the manifest, and its forward pass gives the outputs stored when it was shipped (so a
network-code change that breaks the shipped weights fails here)."""
import os

import numpy as np

import paddlehub_lite as hub
from paddlehub_lite.module.manifest import read_manifest

from .make_shipped_reference import REFERENCE, SENTENCES, word_ids

PACKAGE = os.path.dirname(os.path.abspath(hub.__file__))


def test_shipped_elmo_loads_verifies_and_matches_its_reference(hub_home):
    module = hub.Module(name="elmo")
    assert module.directory == os.path.join(PACKAGE, "zoo", "elmo", "pretrained")
    manifest = read_manifest(module.directory, verify=True)   # sizes and sha256 of every file
    assert set(manifest["files"]) >= {"assets/vocab.txt", "weights.npz"}
    reference = np.load(REFERENCE)
    assert str(reference["version"]) == module.version
    assert str(reference["weights_sha256"]) == module.fingerprint
    ids = word_ids(module)
    np.testing.assert_array_equal(ids, reference["word_ids"])
    layers = module.bilm_layers(ids)
    assert layers.shape == reference["layers"].shape == (len(SENTENCES), ids.shape[1], 3,
                                                         2 * module.bilm_config.embed_dim)
    np.testing.assert_allclose(layers, reference["layers"], rtol=1e-4, atol=1e-5)
    assert np.abs(layers).max() > 0.1                          # not all padding
