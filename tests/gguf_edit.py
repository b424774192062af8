"""Test helper: copy a GGUF file with one extra string metadata key (e.g. a chat template).

GGUF v2/v3 layout: magic, version, tensor count, KV count, the KV pairs, the tensor
infos, padding to `general.alignment`, then tensor data addressed relative to its own
start. Adding a KV pair only moves where the data starts, so the rest is copied as is.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path
from typing import BinaryIO

_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY, _UINT32 = 8, 9, 4


def _u32(fh: BinaryIO) -> int:
    return int(struct.unpack("<I", fh.read(4))[0])


def _u64(fh: BinaryIO) -> int:
    return int(struct.unpack("<Q", fh.read(8))[0])


def _string(fh: BinaryIO) -> str:
    return fh.read(_u64(fh)).decode("utf-8")


def _skip_value(fh: BinaryIO, vtype: int) -> int | None:
    """Skip one value; return it when it is a uint32 (for general.alignment)."""
    if vtype in _FIXED:
        raw = fh.read(_FIXED[vtype])
        return int(struct.unpack("<I", raw)[0]) if vtype == _UINT32 else None
    if vtype == _STRING:
        fh.seek(_u64(fh), 1)
    elif vtype == _ARRAY:
        item, count = _u32(fh), _u64(fh)
        if item in _FIXED:
            fh.seek(_FIXED[item] * count, 1)
        else:
            for _ in range(count):
                _skip_value(fh, item)
    else:
        raise ValueError(f"unknown GGUF value type {vtype}")
    return None


def _encode_string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def with_string_key(src: Path, dst: Path, key: str, value: str) -> Path:
    with src.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ValueError(f"{src} is not a GGUF file")
        version = _u32(fh)
        n_tensors, n_kv = _u64(fh), _u64(fh)
        kv_start = fh.tell()
        alignment = 32
        for _ in range(n_kv):
            name = _string(fh)
            found = _skip_value(fh, _u32(fh))
            if name == "general.alignment" and found:
                alignment = found
        kv_end = fh.tell()
        for _ in range(n_tensors):
            _string(fh)
            fh.seek(8 * _u32(fh), 1)  # dims
            fh.seek(4 + 8, 1)  # type, offset
        infos_end = fh.tell()
        data_start = -(-infos_end // alignment) * alignment

        fh.seek(kv_start)
        kvs = fh.read(kv_end - kv_start)
        infos = fh.read(infos_end - kv_end)
        extra = _encode_string(key) + struct.pack("<I", _STRING) + _encode_string(value)
        header = b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv + 1)
        head = header + kvs + extra + infos
        with dst.open("wb") as out:
            out.write(head + b"\0" * (-len(head) % alignment))
            fh.seek(data_start)
            shutil.copyfileobj(fh, out, 1 << 22)
    return dst
