"""Exporting a static program as a ``paddle.inference`` model that the predictor can load.

Paddle 3.3's ``nn.LSTM`` / ``nn.GRU`` each add a parameter op named
``dropout_state__non_persistable`` to the program. ``save_inference_model`` writes that tensor
once, but ``paddle.inference`` expects one tensor per parameter op, so a model with two or more
RNN layers fails to load ("Cannot read tensor desc size"). Ops of the same name denote the same
scope variable, so merging them into one changes nothing the program computes.

Paddle's writer does not report a full disk: a short ``.pdiparams`` is written without an
error, and ``paddle.inference`` may even load it. ``save_inference_model`` therefore reads the
file back (``read_params_file``: Paddle's tensor serialisation, one tensor after another) and
checks that it holds every parameter of the program with the values of the scope.
"""
import struct
from typing import List

import numpy as np
import paddle

# Paddle's VarType codes of the tensor types a parameter file can hold, and their numpy types.
_DTYPES = {0: "bool", 1: "int16", 2: "int32", 3: "int64", 4: "float16", 5: "float32",
           6: "float64", 20: "uint8", 21: "int8", 22: "uint16"}  # bfloat16 read as raw uint16


def _varint(data: bytes, pos: int):
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def read_params_file(path: str) -> List[np.ndarray]:
    """The tensors of a combined ``.pdiparams`` file in file order; ``ValueError`` naming the
    file when it ends inside a tensor or is malformed."""
    with open(path, "rb") as handle:
        data = handle.read()
    tensors, pos = [], 0
    try:
        while pos < len(data):
            pos += 4                                              # tensor format version
            (lod_levels,) = struct.unpack_from("<Q", data, pos)
            pos += 8
            for _ in range(lod_levels):
                (size,) = struct.unpack_from("<Q", data, pos)
                pos += 8 + size
            pos += 4                                              # dense tensor version
            (desc_size,) = struct.unpack_from("<i", data, pos)
            pos += 4
            desc, pos = data[pos:pos + desc_size], pos + desc_size
            if len(desc) != desc_size:
                raise ValueError("ends inside a tensor description")
            dtype, dims, p = None, [], 0
            while p < len(desc):                                  # proto TensorDesc
                tag, p = _varint(desc, p)
                if tag == 8:
                    dtype, p = _varint(desc, p)
                elif tag == 16:
                    dim, p = _varint(desc, p)
                    dims.append(dim)
                elif tag == 18:                                   # packed dims
                    length, p = _varint(desc, p)
                    end = p + length
                    while p < end:
                        dim, p = _varint(desc, p)
                        dims.append(dim)
                else:
                    raise ValueError("unknown tensor description field %d" % tag)
            if dtype not in _DTYPES:
                raise ValueError("unknown tensor type %r" % dtype)
            nbytes = int(np.prod(dims, dtype=np.int64)) * np.dtype(_DTYPES[dtype]).itemsize
            if pos + nbytes > len(data):
                raise ValueError("ends inside tensor %d (%d of %d data bytes)"
                                 % (len(tensors), len(data) - pos, nbytes))
            tensors.append(np.frombuffer(data, _DTYPES[dtype], nbytes // np.dtype(
                _DTYPES[dtype]).itemsize, pos).reshape(dims))
            pos += nbytes
    except (struct.error, IndexError) as err:
        raise ValueError("%s: truncated or malformed parameter file (%s)" % (path, err)) from None
    except ValueError as err:
        raise ValueError("%s: truncated or malformed parameter file: %s" % (path, err)) from None
    return tensors


def exported_parameter_names(json_path: str) -> List[str]:
    """Names of the parameter ops of an exported PIR program, sorted (the ``.pdiparams`` file
    holds one tensor per parameter op, in name order)."""
    import json
    with open(json_path, encoding="utf-8") as handle:
        program = json.load(handle)["program"]
    names = []
    for region in program["regions"]:
        for block in region["blocks"]:
            names += [op["A"][3] for op in block["ops"] if op.get("#") == "p"]
    return sorted(names)


def check_export(prefix: str, scope) -> None:
    """Raise ``OSError`` naming the file unless ``<prefix>.pdiparams`` holds, for each
    parameter of ``<prefix>.json``, the value that parameter has in ``scope``."""
    names = exported_parameter_names(prefix + ".json")
    path = prefix + ".pdiparams"
    try:
        tensors = read_params_file(path)
    except ValueError as err:
        raise OSError("%s (disk full?)" % err) from None
    if len(tensors) != len(names):
        raise OSError("%s: %d tensors for %d parameters (disk full?)"
                      % (path, len(tensors), len(names)))
    for name, tensor in zip(names, tensors):
        var = scope.find_var(name)
        if var is None or name.endswith("__non_persistable"):
            continue                       # the RNNs' dropout state: no values to compare
        if not np.array_equal(np.array(var.get_tensor()), tensor):
            raise OSError("%s: parameter %s differs from the program's (a damaged file)"
                          % (path, name))


def merge_duplicate_parameters(program) -> int:
    """Make every parameter name appear in ``program`` once (in place): later parameter ops of
    a name already seen are replaced by the first one. Returns how many were merged."""
    first = {}
    merged = 0
    block = program.global_block()
    for op in list(block.ops):
        if op.name() != "builtin.parameter":
            continue
        name = op.attrs()["parameter_name"]
        if name in first:
            op.result(0).replace_all_uses_with(first[name])
            block.remove_op(op)
            merged += 1
        else:
            first[name] = op.result(0)
    return merged


def save_inference_model(prefix: str, feeds, fetches, exe, program, scope) -> None:
    """``paddle.static.save_inference_model`` of ``program`` with the values of ``scope``,
    after ``merge_duplicate_parameters(program)``; writes ``<prefix>.json`` and
    ``<prefix>.pdiparams``."""
    merge_duplicate_parameters(program)
    with paddle.static.scope_guard(scope):
        paddle.static.save_inference_model(prefix, feeds, fetches, exe, program=program)
    check_export(prefix, scope)
