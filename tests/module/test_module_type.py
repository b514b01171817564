"""A second module type needs nothing of the module system or the engine but its own code:
a tiny "pretrained embedding" type, registered at run time (a folder under zoo/ registers
itself the same way), opened by ``hub.Module``, trained with ``TextClassifierTask`` (its
pretrained table loaded and finetuned) and predicting from its best model's bundle."""
import numpy as np
import paddle
import pytest

import paddlehub_lite as hub
from paddlehub_lite.module import registry
from paddlehub_lite.module.inputs import attach, mark_sequence
from paddlehub_lite.module.manifest import write_module_dir
from paddlehub_lite.reader.vocab import Vocab
from paddlehub_lite.utils.scope import set_values

from ..conftest import CHNSENTICORP, home_env
from ..finetune import tiny_finetune

DIM = 8


class EmbeddingInputs:
    """The toy type's ``ModuleInputs``: word ids in, nothing extra to feed."""

    def __init__(self, module, startup_program, word_ids_name, max_seq_len):
        self.module = module
        self.startup_program = startup_program
        self.word_ids_name = word_ids_name
        self.pad_id = 0
        self.max_seq_len = max_seq_len

    def load_pretrained(self, scope) -> int:
        set_values(scope, {"toy_emb": self.module.weights()["toy_emb"]})
        return 1

    def extra_input_names(self):
        return []

    def prepare(self, phase, id_lists, num_threads, shard=None, cache=None):
        pass

    def extra_feed(self, phase, indices, word_ids, num_threads):
        return {}

    def feed(self, word_ids, num_threads=None):
        return {}

    def describe(self):
        return {"module": {"name": self.module.name, "version": self.module.version,
                           "sha256": self.module.fingerprint},
                "word_ids_name": self.word_ids_name, "max_seq_len": self.max_seq_len}

    def export_features(self, prefix):
        return None


class EmbeddingModule:
    """The toy type: a pretrained word-embedding table."""

    def __init__(self, module):
        self.module = module

    def context(self, trainable=True, max_seq_len=128):
        program, startup = paddle.static.Program(), paddle.static.Program()
        with paddle.static.program_guard(program, startup):
            word_ids = paddle.static.data("@HUB_toy@word_ids", [-1, -1], "int64")
            mask = (word_ids != 0).astype("float32").unsqueeze(-1)
            seq_len = paddle.sum(mask.squeeze(-1), axis=1).astype("int64")
            table = self.module.weights()["toy_emb"]
            emb = paddle.nn.Embedding(table.shape[0], DIM, weight_attr=paddle.ParamAttr(
                name="toy_emb", trainable=trainable))(word_ids) * mask
        inputs = EmbeddingInputs(self.module, startup, word_ids.name, max_seq_len)
        attach(program, inputs)
        for value in (word_ids, emb):
            mark_sequence(program, value, seq_len, mask)
        return ({"word_ids": word_ids}, {"emb": emb, "seq_len": seq_len, "mask": mask},
                program)

    def restore_inputs(self, description):
        return EmbeddingInputs(self.module, None, description["word_ids_name"],
                               description["max_seq_len"])


@pytest.fixture
def toy_module(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_TYPES", dict(registry._TYPES))   # registered for this test
    registry.register("toy_embedding", EmbeddingModule)
    from paddlehub_lite.reader.segmenter import JiebaSegmenter
    with open(CHNSENTICORP + "/train.tsv", encoding="utf-8") as handle:
        texts = [line.split("\t", 1)[1].strip() for line in list(handle)[1:400]]
    vocab = Vocab.build(JiebaSegmenter().segment_many(texts), max_size=3000, min_freq=2)
    table = np.random.default_rng(0).normal(0, 0.1, (len(vocab), DIM)).astype("float32")
    return write_module_dir(str(tmp_path / "toy"), name="toy", version="0.1.0",
                            network={"dim": DIM}, vocab=vocab, weights={"toy_emb": table},
                            module_type="toy_embedding")


def test_a_registered_type_trains_and_predicts_through_the_generic_engine(toy_module, tmp_path):
    from paddlehub_lite.nets import bow_net
    module_dir = toy_module
    with home_env(str(tmp_path / "home")):
        paddle.enable_static()
        module = hub.Module(directory=module_dir)
        assert module.type == "toy_embedding" and isinstance(module.impl, EmbeddingModule)
        with pytest.raises(AttributeError):
            module.bilm_config                         # the ELMo's attribute is not a toy's
        inputs, outputs, program = module.context(trainable=True)
        data = tiny_finetune.write_slice(str(tmp_path / "data"), CHNSENTICORP, 300, 60, 60)
        dataset = hub.dataset.ChnSentiCorp(base_path=data)
        reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=module.get_vocab_path())
        startup = paddle.static.Program()
        with paddle.static.program_guard(program, startup):
            feature = bow_net(outputs["emb"], outputs["seq_len"], outputs["mask"])
        config = hub.RunConfig(use_cuda=False, num_epoch=2, batch_size=16, seed=1,
                               checkpoint_dir=str(tmp_path / "ckpt"),
                               strategy=hub.AdamWeightDecayStrategy(learning_rate=1e-2))
        task = hub.TextClassifierTask(data_reader=reader, feature=feature,
                                      feed_list=[inputs["word_ids"].name], num_classes=2,
                                      config=config, startup_program=startup)
        task.finetune_and_eval()
        trained = np.array(task.scope.find_var("toy_emb").get_tensor())
        start = module.weights()["toy_emb"]
        assert 0 < np.abs(trained - start).max() < 1.0      # loaded, then finetuned
        results = task.predict(data=["房间很干净，服务很好", "太差了"], return_result=True)
        assert [sorted(r["probabilities"]) for r in results] == [["0", "1"]] * 2
