"""Fluid's LoD sequences as padded tensors.

A fluid LoD tensor held the steps of every sequence back to back ([total_steps, dim]) with the
sequence boundaries beside it. Here a sequence is a padded [batch, time, dim] tensor marked
(``module/inputs.mark_sequence``) with its real lengths ``seq_len`` [batch] and ``mask``
[batch, time, 1], taken from the word ids it was computed from. Every compat layer that makes
a sequence marks its output with its input's lengths, so the sequence ops count only real
steps, as fluid's did.
"""
import paddle

from paddlehub_lite.module.inputs import mark_sequence, sequence_of


def current_program():
    return paddle.static.default_main_program()


def lengths(value, where: str):
    """``(seq_len, mask)`` of a sequence, or a ``TypeError`` saying that ``where`` (a fluid call)
    wanted a sequence."""
    found = sequence_of(current_program(), value) if hasattr(value, "id") else None
    if found is None:
        shape = list(getattr(value, "shape", [])) or "?"
        raise TypeError(
            "fluid.%s wants a sequence (in fluid a LoD tensor: the module's word ids or a "
            "layer computed from them, e.g. its embedding), got a non-sequence tensor of shape "
            "%s. Pool it only once (sequence_pool / sequence_last_step), and build sequences "
            "from inputs['word_ids'] or outputs['elmo_embed']." % (where, shape))
    return found


def is_sequence(value) -> bool:
    return hasattr(value, "id") and sequence_of(current_program(), value) is not None


def mark_like(value, source):
    """Mark ``value`` with the lengths of the sequence ``source``; returns ``value``."""
    seq_len, mask = sequence_of(current_program(), source)
    mark_sequence(current_program(), value, seq_len, mask)
    return value


def mark_from_ids(value, ids, pad_id: int):
    """Mark ``value`` as a sequence with the lengths of padded int ids [batch, time]."""
    found = sequence_of(current_program(), ids)
    if found is None:
        seq_len = paddle.sum((ids != pad_id).astype("int64"), axis=1)
        mask = (ids != pad_id).astype("float32").unsqueeze(-1)
        mark_sequence(current_program(), ids, seq_len, mask)
        found = (seq_len, mask)
    mark_sequence(current_program(), value, *found)
    return value


def reverse(value, seq_len):
    """Each sequence of [batch, time, dim] reversed within its own length (padding stays at
    the end), as fluid's ``is_reverse`` read it."""
    time = paddle.shape(value)[1]
    steps = paddle.arange(time, dtype="int64").unsqueeze(0)                  # [1, T]
    last = (seq_len - 1).unsqueeze(1)                                        # [B, 1]
    index = paddle.where(steps <= last, last - steps, steps)                 # [B, T]
    index = paddle.expand(index.unsqueeze(-1), paddle.shape(value))
    return paddle.take_along_axis(value, index, axis=1, broadcast=False)
