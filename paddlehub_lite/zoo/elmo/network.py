"""A word-level bidirectional LSTM language model (biLM) and its ELMo mix, on Paddle's static graph.

Layout, per direction (forward and backward each have their own weights):

    token embedding (E) -> LSTM(H) -> projection (E) = layer 1
                        -> LSTM(H) -> projection (E) + layer 1 (residual) = layer 2

The projection sits outside the fused LSTM kernel: ``nn.LSTM(proj_size=...)`` becomes a per-step
while loop on Paddle 3 (2.6x slower, 8 GB RSS). The backward direction reverses every sequence
within its own length, runs, and its outputs are put back in forward order, so position t of
every layer describes token t. Padded positions come out zero.

ELMo (Peters et al. 2018): ``gamma * sum_j softmax(w + 1/3)_j * h_j`` over
h_0 = [emb, emb] (or [emb_fw, emb_bw] with one embedding per direction), h_1 = [fw_1, bw_1], h_2 = [fw_2, bw_2], each 2E wide (``stack_layers`` and
``elmo_mix``).

Every parameter is named explicitly (``elmo_*``) so pretrained weights load by name.
"""
import dataclasses
from typing import Dict, Optional, Sequence

import paddle
import paddle.nn as nn
import paddle.nn.functional as F


@dataclasses.dataclass
class BiLMConfig:
    """Sizes of the biLM. Stored in the module manifest.

    Args:
        vocab_size: rows of the token embedding.
        embed_dim: E, the embedding and projection width (default 128).
        hidden_size: H, the LSTM cell width (default 512).
        num_layers: LSTM layers per direction (default 2; layer k>1 has a residual).
        dropout: dropout on the embedding and each layer's output, training only (default 0.1).
        pad_id: the id that marks padding in ``word_ids`` (default 0, ``<S>``, which never
            occurs as an input token).
        shared_embedding: one token embedding for both directions (default True, as in ELMo).
            False gives each direction its own (``elmo_fw_word_emb`` / ``elmo_bw_word_emb``),
            so the two language models are independent and can be pretrained in two
            processes; layer 0 is then [forward embedding, backward embedding].
    """

    vocab_size: int
    embed_dim: int = 128
    hidden_size: int = 512
    num_layers: int = 2
    dropout: float = 0.1
    pad_id: int = 0
    shared_embedding: bool = True

    def embedding_name(self, direction: str) -> str:
        """The parameter name of ``direction``'s token embedding."""
        return "elmo_word_emb" if self.shared_embedding else "elmo_%s_word_emb" % direction

    @property
    def output_dim(self) -> int:
        return 2 * self.embed_dim

    def to_dict(self) -> Dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Dict) -> "BiLMConfig":
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - fields
        if unknown:
            raise ValueError("unknown biLM config keys: %s" % sorted(unknown))
        return cls(**data)


DIRECTIONS = ("fw", "bw")


def _attr(name: str, trainable: bool, initializer=None, regularizer=None) -> paddle.ParamAttr:
    return paddle.ParamAttr(name=name, trainable=trainable, initializer=initializer,
                            regularizer=regularizer)


def parameter_names(config: BiLMConfig, directions=DIRECTIONS):
    """The names of the encoder parameters of ``directions`` (what a module ships)."""
    names = []
    for direction in directions:
        embedding = config.embedding_name(direction)
        if embedding not in names:
            names.append(embedding)
        for layer in range(1, config.num_layers + 1):
            prefix = "elmo_%s_l%d" % (direction, layer)
            names += [prefix + s for s in ("_w_ih", "_w_hh", "_b_ih", "_b_hh", "_proj_w")]
    return names


def reverse_within_length(x, seq_len):
    """Reverse each sequence of ``x`` [B, T, D] within its own length (padding stays put)."""
    max_len = paddle.shape(x)[1]
    positions = paddle.arange(0, max_len, dtype="int64").unsqueeze(0)     # [1, T]
    lengths = seq_len.astype("int64").unsqueeze(1)                          # [B, 1]
    index = paddle.where(positions < lengths, lengths - 1 - positions, positions)  # [B, T]
    index = paddle.expand(index.unsqueeze(-1), paddle.shape(x))
    return paddle.take_along_axis(x, index, axis=1)


class BiLM:
    """Builds the biLM into the current static program (call inside ``program_guard``).

    Args:
        config: the sizes (see ``BiLMConfig``).
        trainable: whether the biLM's parameters receive gradients (default True).
        directions: the language models to build (default both; pretraining builds one per
            process when ``config.shared_embedding`` is False).
        first_layer: the lowest LSTM layer to build (default 1: the whole biLM). Above 1, no
            embedding is built and the biLM runs with ``upper_layers`` from the
            representations below ``first_layer`` (e.g. finetuning only the top layer on
            cached features).
        last_layer: the highest LSTM layer to build (default None: the top one); below the
            top, the biLM gives the representations up to this layer only (the features a
            top-layer finetune is fed).
    """

    def __init__(self, config: BiLMConfig, trainable: bool = True, directions=DIRECTIONS,
                 first_layer: int = 1, last_layer: Optional[int] = None):
        last_layer = config.num_layers if last_layer is None else last_layer
        if not 1 <= first_layer <= last_layer <= config.num_layers:
            raise ValueError("need 1 <= first_layer <= last_layer <= %d, got %r and %r"
                             % (config.num_layers, first_layer, last_layer))
        unknown = set(directions) - set(DIRECTIONS)
        if unknown or not directions:
            raise ValueError("directions must be a non-empty subset of %s, got %r"
                             % (DIRECTIONS, directions))
        if config.shared_embedding and len(directions) != 2:
            raise ValueError("a biLM with a shared embedding trains both directions together")
        self.config = config
        self.trainable = trainable
        self.directions = tuple(d for d in DIRECTIONS if d in directions)
        self.first_layer, self.last_layer = first_layer, last_layer
        c = config
        self.embeddings = {}
        for direction in self.directions if first_layer == 1 else ():
            if c.shared_embedding and self.embeddings:
                self.embeddings[direction] = self.embeddings["fw"]
                continue
            self.embeddings[direction] = nn.Embedding(
                c.vocab_size, c.embed_dim,
                weight_attr=_attr(c.embedding_name(direction), trainable,
                                  nn.initializer.Uniform(-0.1, 0.1)))
        self.lstms, self.projections = {}, {}
        for direction in self.directions:
            for layer in range(first_layer, last_layer + 1):
                prefix = "elmo_%s_l%d" % (direction, layer)
                self.lstms[direction, layer] = nn.LSTM(
                    c.embed_dim, c.hidden_size,
                    weight_ih_attr=_attr(prefix + "_w_ih", trainable),
                    weight_hh_attr=_attr(prefix + "_w_hh", trainable),
                    bias_ih_attr=_attr(prefix + "_b_ih", trainable),
                    bias_hh_attr=_attr(prefix + "_b_hh", trainable))
                self.projections[direction, layer] = nn.Linear(
                    c.hidden_size, c.embed_dim,
                    weight_attr=_attr(prefix + "_proj_w", trainable), bias_attr=False)

    def __call__(self, word_ids, seq_len, dropout: float = None):
        """Run both directions.

        Args:
            word_ids: int64 [B, T], padded with ``config.pad_id``.
            seq_len: int64 [B], real lengths (>= 1).
            dropout: override ``config.dropout``; dropout ops are switched off in test clones.

        Returns:
            dict with ``mask`` [B, T, 1] float32, per built direction ``emb_fw`` / ``emb_bw``
            [B, T, E] (one tensor when the embedding is shared), and ``fw`` / ``bw``: lists of
            [B, T, E] per layer (bw in forward order).
        """
        if self.first_layer != 1:
            raise ValueError("this biLM starts at layer %d: run it with upper_layers"
                             % self.first_layer)
        p = self.config.dropout if dropout is None else dropout
        mask = (word_ids != self.config.pad_id).astype("float32").unsqueeze(-1)
        outputs = {"mask": mask}
        embedded = {}  # one lookup per embedding table
        for direction in self.directions:
            table = self.embeddings[direction]
            if id(table) not in embedded:
                embedded[id(table)] = table(word_ids) * mask
            emb = outputs["emb_" + direction] = embedded[id(table)]
            outputs[direction] = self._run_direction(direction, emb, seq_len, p)
        return outputs

    def upper_layers(self, stacked, seq_len, dropout: float = 0.0):
        """Layers ``first_layer``.. of both directions from the representations below them.

        Args:
            stacked: float32 [B, T, L, 2E] as ``stack_layers`` gives (e.g. fed from a feature
                cache); representation ``first_layer - 1`` is the input, [forward | backward].
            seq_len: int64 [B].
            dropout: on each layer's input while training (default 0.0).

        Returns ``stacked`` with representations ``first_layer``.. recomputed by this biLM's
        (trainable) layers, [B, T, L, 2E].
        """
        if self.directions != DIRECTIONS:
            raise ValueError("upper_layers runs both directions")
        half = self.config.embed_dim
        below = stacked[:, :, self.first_layer - 1, :]
        fw = self._run_direction("fw", below[:, :, :half], seq_len, dropout)
        bw = self._run_direction("bw", below[:, :, half:], seq_len, dropout)
        reps = [stacked[:, :, j, :] for j in range(self.first_layer)]
        reps += [paddle.concat([f, b], axis=-1) for f, b in zip(fw, bw)]
        return paddle.stack(reps, axis=2)

    def _run_direction(self, direction: str, x, seq_len, p: float):
        """Layers ``first_layer``.. of one direction from ``x`` [B, T, E] (that direction's
        input to ``first_layer``, in forward order); their outputs in forward order."""
        if direction == "bw":
            x = reverse_within_length(x, seq_len)
        layers = []
        for layer in range(self.first_layer, self.last_layer + 1):
            inp = F.dropout(x, p) if p > 0 else x
            hidden, _ = self.lstms[direction, layer](inp, sequence_length=seq_len)
            out = self.projections[direction, layer](hidden)
            if layer > 1:
                out = out + x
            layers.append(out)
            x = out
        if direction == "bw":
            layers = [reverse_within_length(h, seq_len) for h in layers]
        return layers

    def embedding_weight(self, direction: str):
        """``direction``'s token embedding matrix (tied to its softmax in pretraining)."""
        return self.embeddings[direction].weight


def sequence_lengths(word_ids, pad_id: int):
    """Real lengths from padded ids: the number of non-pad positions (int64 [B])."""
    return paddle.sum((word_ids != pad_id).astype("int64"), axis=1)


def stack_layers(bilm_outputs):
    """[emb_fw|emb_bw], [fw1|bw1], [fw2|bw2], ... stacked as a float32 [B, T, L, 2E] tensor
    (layer 0 is [emb|emb] when the embedding is shared)."""
    reps = [paddle.concat([bilm_outputs["emb_fw"], bilm_outputs["emb_bw"]], axis=-1)]
    for fw, bw in zip(bilm_outputs["fw"], bilm_outputs["bw"]):
        reps.append(paddle.concat([fw, bw], axis=-1))
    return paddle.stack(reps, axis=2)


def elmo_mix(layers, num_layers: int, trainable: bool = True,
             use_layers: Optional[Sequence[int]] = None, dropout: float = 0.0,
             mix_l2: float = 0.0):
    """``gamma * sum_j softmax(w + 1/L)_j * h_j`` over the chosen stacked representations.

    Args:
        layers: float32 [B, T, L, 2E] from ``stack_layers`` (or fed from a feature cache),
            zero at padded positions (the biLM's outputs and the cache's padding are).
        num_layers: L.
        trainable: whether ``elmo_mix_w`` (init 0, an even mix) and ``elmo_mix_gamma``
            (init 1) receive gradients.
        use_layers: which representations to mix, e.g. ``(0, 1)`` (default None: all L).
        dropout: dropout on the mixed embedding while training (default 0.0; AllenNLP
            uses 0.5). Evaluation and prediction clones switch it off.
        mix_l2: L2 penalty on ``elmo_mix_w`` (default 0.0; Peters et al. found a small
            one, 0.001, pulls the mix towards an even average).

    Returns a float32 [B, T, 2E] tensor, zero at padded positions.
    """
    chosen = list(range(num_layers)) if use_layers is None else sorted(set(use_layers))
    if not chosen or not all(0 <= j < num_layers for j in chosen):
        raise ValueError("use_layers must name representations in 0..%d, got %r"
                         % (num_layers - 1, use_layers))
    if not 0.0 <= dropout < 1.0:
        raise ValueError("dropout must be in [0, 1), got %r" % dropout)
    if len(chosen) < num_layers:
        layers = paddle.index_select(layers, paddle.to_tensor(chosen, dtype="int64"), axis=2)
    count = len(chosen)
    regularizer = paddle.regularizer.L2Decay(mix_l2) if mix_l2 > 0 else None
    mix_w = paddle.create_parameter(
        [count], "float32",
        attr=_attr("elmo_mix_w", trainable, nn.initializer.Constant(0.0), regularizer))
    gamma = paddle.create_parameter(
        [1], "float32", attr=_attr("elmo_mix_gamma", trainable, nn.initializer.Constant(1.0)))
    weights = (gamma * F.softmax(mix_w + 1.0 / count)).reshape([1, count])
    # One batched [1, L] x [L, 2E] product per position: Paddle's broadcasting multiply over
    # [B, T, L, 2E] was the slowest op of the whole classifier (BENCHMARKS.md).
    mixed = paddle.matmul(weights, layers).squeeze(2)
    return F.dropout(mixed, p=dropout) if dropout > 0 else mixed
