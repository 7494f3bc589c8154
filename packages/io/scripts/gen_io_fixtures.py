"""Fixtures for @autodag/io's file formats, made by real numpy and PyTorch.

    /usr/bin/python3 packages/io/scripts/gen_io_fixtures.py           writes the fixtures
    /usr/bin/python3 packages/io/scripts/gen_io_fixtures.py --verify  checks the files autodag
                                                                      wrote (autodag_written.*)

Output: packages/io/test/fixtures/formats/
  npy/*.npy          numpy.save / numpy.lib.format.write_array, every dtype autodag reads,
                     versions 1.0/2.0/3.0, big-endian, Fortran order, 0-d and empty arrays
  savez.npz, savez_compressed.npz   numpy.savez and numpy.savez_compressed
  spec_*.safetensors written here from the safetensors specification (Debian has no Python
                     safetensors package): tensors sorted by descending dtype alignment then name,
                     compact JSON header padded with spaces to a multiple of 8, little-endian data
  half.json          PyTorch's float32/float64 -> float16/bfloat16 bit patterns
  expected.json      dtype, shape and values of every fixture as autodag should read them

--verify reads autodag_written.safetensors with the spec reader below and autodag_written*.npz
with numpy.load, compares every tensor with the values defined in AUTODAG_WRITTEN (the same ones
packages/io/test/save-load.test.ts writes), and re-serializes the safetensors file with the spec
writer: the bytes must be identical.
"""

import json
import math
import os
import struct
import sys
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "formats")

# safetensors dtype names, element sizes and the reference crate's enum order (its writer sorts by
# this order, descending, then by name).
ST_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32",
            "F32", "F64", "I64", "U64"]
TORCH_TO_ST = {
    torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16",
    torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32", torch.float32: "F32",
    torch.float64: "F64", torch.int64: "I64",
}
ST_TO_TORCH = {v: k for k, v in TORCH_TO_ST.items()}
# What autodag reads each stored dtype as.
AUTODAG_DTYPE = {
    "BOOL": "bool", "U8": "int32", "I8": "int32", "I16": "int32", "F16": "float32",
    "BF16": "float32", "I32": "int32", "F32": "float32", "F64": "float64", "I64": "int32",
}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def st_serialize(tensors, metadata=None):
    """safetensors bytes exactly as the reference writer lays them out."""
    items = sorted(tensors.items(), key=lambda kv: kv[0].encode())
    items.sort(key=lambda kv: ST_ORDER.index(TORCH_TO_ST[kv[1].dtype]), reverse=True)
    header = {}
    if metadata is not None:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata, key=lambda k: k.encode())}
    chunks, offset = [], 0
    for name, t in items:
        data = tensor_bytes(t)
        header[name] = {"dtype": TORCH_TO_ST[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def st_deserialize(data):
    """Reads safetensors bytes into (tensors, metadata, header) with the spec's checks."""
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0, "header length must be a multiple of 8"
    raw = data[8:8 + n]
    assert raw.rstrip(b" ") == raw[:len(raw.rstrip(b" "))] and raw.strip(b" ").startswith(b"{")
    header = json.loads(raw)
    metadata = header.pop("__metadata__", None)
    body = data[8 + n:]
    covered = 0
    out = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e = info["data_offsets"]
        assert b == covered, f"{name}: data not contiguous"
        covered = e
        dtype = ST_TO_TORCH[info["dtype"]]
        chunk = bytearray(body[b:e])
        if dtype == torch.bfloat16:
            t = torch.frombuffer(chunk, dtype=torch.int16).view(torch.bfloat16) if chunk else torch.empty(0, dtype=dtype)
        else:
            t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    assert covered == len(body), "data section not fully covered"
    return out, metadata, header


def jsonable(values):
    """Flat list of JSON numbers/booleans; NaN and infinities as strings."""
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append(v)
        elif isinstance(v, float) and not math.isfinite(v):
            out.append("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
        else:
            out.append(v)
    return out


def expect_of(arr, dtype):
    a = np.asarray(arr)
    if dtype == "bool":
        vals = [bool(x) for x in a.reshape(-1)]
    elif dtype == "int32":
        vals = [int(x) for x in a.reshape(-1)]
    elif dtype == "float32":
        vals = [float(x) for x in a.astype(np.float32).reshape(-1)]
    else:
        vals = [float(x) for x in a.astype(np.float64).reshape(-1)]
    return {"dtype": dtype, "shape": list(a.shape), "values": jsonable(vals)}


NPY_DTYPE = {"f": None, "b": "bool"}


def autodag_dtype_np(dt):
    if dt.kind == "b":
        return "bool"
    if dt.kind in "iu":
        return "int32"
    if dt.kind == "f":
        return "float64" if dt.itemsize == 8 else "float32"
    raise ValueError(dt)


def gen():
    os.makedirs(os.path.join(OUT, "npy"), exist_ok=True)
    expected = {"npy": {}, "npz": {}, "safetensors": {}}
    rng = np.random.default_rng(1234)
    base = np.array([[0, 1, -2], [3, 127, -128]])

    arrays = {
        "f4": base.astype("<f4") / 4,
        "f8": base.astype("<f8") / 3,
        "i4": (base * 16777259).astype("<i4"),
        "i8": np.array([[0, -1, 2147483647], [-2147483648, 5, 7]], dtype="<i8"),
        "b1": base > 0,
        "f2": (base / 7).astype("<f2"),
        "u1": np.array([[0, 1, 255], [128, 7, 9]], dtype="|u1"),
        "i1": base.astype("|i1"),
        "i2": (base * 250).astype("<i2"),
        "u2": np.array([[0, 65535, 3], [1, 2, 40000]], dtype="<u2"),
        "u4": np.array([[0, 2147483647, 3], [1, 2, 4]], dtype="<u4"),
        "be_f4": (base / 4).astype(">f4"),
        "be_f8": (base / 3).astype(">f8"),
        "be_i8": np.array([[1, -1, 2147483647], [-2147483648, 0, 3]], dtype=">i8"),
        "be_i4": (base * 1000003).astype(">i4"),
        "be_f2": (base / 5).astype(">f2"),
        "scalar_f8": np.array(2.5),
        "scalar_b1": np.array(True),
        "empty_f4": np.zeros((0, 3), dtype="<f4"),
        "empty_i8": np.zeros((2, 0), dtype="<i8"),
        "fortran_f4": np.asfortranarray(rng.standard_normal((3, 4)).astype("<f4")),
        "fortran_i8": np.asfortranarray(np.arange(24, dtype="<i8").reshape(2, 3, 4) - 12),
        "fortran_be_f8": np.asfortranarray(rng.standard_normal((4, 2)).astype(">f8")),
        "long_1d": np.arange(1000, dtype="<f4") * 0.5,
        "special_f4": np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38], dtype="<f4"),
    }
    for name, a in arrays.items():
        np.save(os.path.join(OUT, "npy", f"{name}.npy"), a)
        expected["npy"][name] = expect_of(a, autodag_dtype_np(a.dtype))
    # The same array in format versions 2.0 and 3.0.
    v = (base / 4).astype("<f4")
    for version in [(2, 0), (3, 0)]:
        name = f"version_{version[0]}"
        with open(os.path.join(OUT, "npy", f"{name}.npy"), "wb") as f:
            np.lib.format.write_array(f, v, version=version)
        expected["npy"][name] = expect_of(v, "float32")
    # Arrays autodag writes byte-identically (numpy.save of its own dtypes, C order).
    expected["npy_roundtrip"] = ["f4", "f8", "i4", "b1", "scalar_f8", "scalar_b1", "empty_f4",
                                 "long_1d", "special_f4", "version_2"]

    npz_arrays = {"weight": (base / 4).astype("<f4"), "labels": np.array([3, 1, 4, 1, 5], dtype="<i8"),
                  "mask": base > 0, "scalar": np.array(1.5), "empty": np.zeros((0,), dtype="<f4"),
                  "fortran": np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3))}
    np.savez(os.path.join(OUT, "savez.npz"), **npz_arrays)
    np.savez_compressed(os.path.join(OUT, "savez_compressed.npz"), **npz_arrays)
    np.savez(os.path.join(OUT, "savez_positional.npz"), base.astype("<f4"), base > 1)
    expected["npz"] = {k: expect_of(a, autodag_dtype_np(a.dtype)) for k, a in npz_arrays.items()}
    expected["npz_positional"] = {"arr_0": expect_of(base.astype("<f4"), "float32"),
                                  "arr_1": expect_of(base > 1, "bool")}

    torch.manual_seed(0)
    tb = torch.tensor([[0, 1, -2], [3, 127, -128]])
    st = {
        "f32": torch.randn(2, 3),
        "f64": torch.randn(3, dtype=torch.float64),
        "i32": (tb * 16777259).to(torch.int32),
        "i64": torch.tensor([0, -1, 2147483647, -2147483648, 42], dtype=torch.int64),
        "bool": tb > 0,
        "f16": (torch.randn(2, 2) * 100).half(),
        "bf16": (torch.randn(4) * 1e30).bfloat16(),
        "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
        "i8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "i16": torch.tensor([-32768, 32767, 5], dtype=torch.int16),
        "scalar": torch.tensor(7.25),
        "empty": torch.zeros(0, 4),
        "a.weight": torch.arange(6, dtype=torch.float32).reshape(2, 3),
        "Z": torch.ones(1, dtype=torch.float64),
    }
    meta = {"format": "pt", "source": "gen_io_fixtures.py", "ünï": "cödé ✓"}
    with open(os.path.join(OUT, "spec_all_dtypes.safetensors"), "wb") as f:
        f.write(st_serialize(st, meta))
    expected["safetensors"] = {
        "metadata": meta,
        "order": list(st_deserialize(st_serialize(st, meta))[2].keys()),
        "tensors": {k: expect_of(t.float().numpy() if t.dtype in (torch.float16, torch.bfloat16) else t.numpy(),
                                 AUTODAG_DTYPE[TORCH_TO_ST[t.dtype]]) for k, t in st.items()},
    }
    # Only dtypes autodag writes (natively, or F16/BF16/I64 on request): re-serializing must give
    # the same bytes.
    writable = {k: st[k] for k in ["f32", "f64", "i32", "i64", "bool", "f16", "bf16", "scalar", "empty", "a.weight", "Z"]}
    with open(os.path.join(OUT, "spec_writable.safetensors"), "wb") as f:
        f.write(st_serialize(writable, {"format": "pt"}))
    with open(os.path.join(OUT, "spec_no_metadata.safetensors"), "wb") as f:
        f.write(st_serialize({"x": torch.arange(4, dtype=torch.float32)}))
    # int64 values outside int32's range: reading must fail.
    with open(os.path.join(OUT, "spec_i64_overflow.safetensors"), "wb") as f:
        f.write(st_serialize({"big": torch.tensor([1, 2**31], dtype=torch.int64)}))
    np.save(os.path.join(OUT, "npy", "i8_overflow.npy"), np.array([0, -2**31 - 1], dtype="<i8"))

    # PyTorch's float16 / bfloat16 rounding (float32 and float64 sources).
    specials32 = [0.0, -0.0, 1.0, -1.0, 0.1, 65504.0, 65519.99, 65520.0, 65536.0, 1e-8, 5.960464477539063e-08,
                  2.9802322387695312e-08, 2.980232594040899e-08, 6.103515625e-05, 6.097555160522461e-05,
                  float("inf"), float("-inf"), 3.4028234663852886e38, 1.0009765625, 1.00048828125,
                  1.00146484375, 2049.0, 2051.0, -3.3e38, 1.17549435e-38, 1e-45]
    rand32 = (np.random.default_rng(7).standard_normal(400) * np.exp(np.random.default_rng(8).uniform(-30, 30, 400))).astype(np.float32)
    f32 = torch.tensor(np.array(specials32 + rand32.tolist(), dtype=np.float32))
    f64 = torch.tensor([1.0 + 2.0**-11 + 2.0**-40, 1.0 + 2.0**-11, 0.1, 1e-300, 65519.999999, 1.00048828125 + 1e-12,
                        1.0 + 2.0**-8 + 2.0**-30], dtype=torch.float64)
    half = {
        "f32": [float(x) for x in f32.tolist()],
        "f32_to_f16": (f32.half().view(torch.int16).to(torch.int32) & 0xFFFF).tolist(),
        "f32_to_bf16": (f32.bfloat16().view(torch.int16).to(torch.int32) & 0xFFFF).tolist(),
        "f64": f64.tolist(),
        "f64_to_f16": (f64.half().view(torch.int16).to(torch.int32) & 0xFFFF).tolist(),
        "f64_to_bf16": (f64.bfloat16().view(torch.int16).to(torch.int32) & 0xFFFF).tolist(),
    }
    # Decoding: a sample of all 65536 half bit patterns plus the boundaries (subnormals, max, inf, NaN).
    bits = sorted(set(range(0, 65536, 97)) | {0, 1, 0x3ff, 0x400, 0x3c00, 0x7bff, 0x7c00, 0x7c01, 0x7e00,
                                               0x7fff, 0x8000, 0x8001, 0x83ff, 0xfbff, 0xfc00, 0xfe00})
    as_f32 = torch.tensor(bits, dtype=torch.int32).to(torch.int16).view(torch.float16).float()
    half["f16_bits"] = bits
    half["f16_as_f32"] = jsonable(as_f32.tolist())
    bf_as_f32 = torch.tensor(bits, dtype=torch.int32).to(torch.int16).view(torch.bfloat16).float()
    half["bf16_as_f32"] = jsonable(bf_as_f32.tolist())
    half["f32"] = jsonable(half["f32"])
    with open(os.path.join(OUT, "half.json"), "w") as f:
        json.dump(half, f)
    expected["versions"] = {"numpy": np.__version__, "torch": torch.__version__}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
    print("wrote fixtures to", os.path.normpath(OUT))


# The tensors packages/io/test/save-load.test.ts writes as autodag_written.* (same definitions).
def autodag_written():
    t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).t()
    return {
        "weight": (torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.5),
        "bias": torch.tensor([0.1, -2.5, 1e-300], dtype=torch.float64),
        "labels": torch.tensor([0, -1, 2147483647, -2147483648], dtype=torch.int32),
        "mask": torch.tensor([[True, False], [False, True]]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 2),
        "transposed": t,
    }


AUTODAG_WRITTEN_META = {"format": "pt", "note": "ünïcode ✓"}
AUTODAG_WRITTEN_AS = {"half": ("F16", [1.0, 0.1, 65504.0, 1e-8, -70000.0]),
                      "bhalf": ("BF16", [1.0, 0.1, -3.3e38]),
                      "long": ("I64", [5, -7, 2147483647])}


def verify():
    ok = True
    path = os.path.join(OUT, "autodag_written.safetensors")
    with open(path, "rb") as f:
        data = f.read()
    tensors, metadata, _ = st_deserialize(data)
    want = autodag_written()
    for name, (dt, vals) in AUTODAG_WRITTEN_AS.items():
        src = torch.tensor(vals, dtype=torch.int64 if dt == "I64" else torch.float32)
        want[name] = src.to(ST_TO_TORCH[dt])
    if metadata != AUTODAG_WRITTEN_META:
        print("metadata differs:", metadata)
        ok = False
    if set(tensors) != set(want):
        print("names differ:", sorted(tensors), sorted(want))
        ok = False
    for name, t in want.items():
        got = tensors.get(name)
        if got is None or got.dtype != t.dtype or got.shape != t.shape or not torch.equal(got, t):
            print(f"{name}: got {got} want {t}")
            ok = False
    if st_serialize(want, AUTODAG_WRITTEN_META) != data:
        print("safetensors bytes differ from the spec writer's")
        ok = False
    for fname in ["autodag_written.npz", "autodag_written_compressed.npz"]:
        with np.load(os.path.join(OUT, fname)) as z:
            base = autodag_written()
            if sorted(z.files) != sorted(base):
                print(fname, "names differ:", z.files)
                ok = False
            for name, t in base.items():
                a = z[name]
                b = t.numpy()
                if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b):
                    print(f"{fname} {name}: got {a!r} want {b!r}")
                    ok = False
        with zipfile.ZipFile(os.path.join(OUT, fname)) as zf:
            if zf.testzip() is not None:
                print(fname, "has a bad CRC")
                ok = False
    a = np.load(os.path.join(OUT, "autodag_written.npy"))
    b = autodag_written()["transposed"].numpy()
    if a.dtype != b.dtype or not np.array_equal(a, b):
        print("autodag_written.npy differs:", a)
        ok = False
    buf = open(os.path.join(OUT, "autodag_written.npy"), "rb").read()
    import io
    ref = io.BytesIO()
    np.save(ref, b.copy())
    if ref.getvalue() != buf:
        print("autodag_written.npy bytes differ from numpy.save's")
        ok = False
    print("autodag-written files verified" if ok else "VERIFY FAILED")
    return ok


if __name__ == "__main__":
    if "--verify" in sys.argv:
        sys.exit(0 if verify() else 1)
    gen()
