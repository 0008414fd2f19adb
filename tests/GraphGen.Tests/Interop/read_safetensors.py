#!/usr/bin/env python3
"""A plain safetensors reader, written from the format's description with the standard library only.

Prints one JSON object: the metadata and, per tensor, its dtype, shape and the sum and first value of its
F32 data. The .NET tests compare that with what GraphGen wrote.
"""
import json
import struct
import sys
from array import array


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    body = data[8 + header_len:]
    result = {"metadata": header.pop("__metadata__", {}), "tensors": {}}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        values = array("f")
        values.frombytes(body[begin:end])
        if sys.byteorder != "little":
            values.byteswap()
        count = 1
        for d in entry["shape"]:
            count *= d
        assert entry["dtype"] == "F32" and len(values) == count, name
        result["tensors"][name] = {"dtype": entry["dtype"], "shape": entry["shape"], "sum": sum(values), "first": values[0] if count else None}
    return result


if __name__ == "__main__":
    print(json.dumps(read(sys.argv[1])))
