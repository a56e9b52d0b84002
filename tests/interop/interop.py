"""Interoperation with dist: `check DIR` verifies the files io_interop wrote,
`write DIR` writes files for io_interop to read. Run with Debian's
/usr/bin/python3 (python3-numpy, python3-h5py)."""
import sys

import h5py
import numpy as np


def check(d):
    real = np.load(d + "/from_dist.npy")
    want = 10.0 * np.arange(7)[:, None] + np.arange(5)[None, :] + 0.5
    assert real.dtype == np.float64 and real.shape == (7, 5), (real.dtype, real.shape)
    assert np.array_equal(real, want), real
    c = np.load(d + "/from_dist_cplx.npy")
    assert c.dtype == np.complex128 and np.array_equal(c, np.arange(6) - 1j * np.arange(6)), c
    with h5py.File(d + "/from_dist.h5", "r") as f:
        assert np.array_equal(f["grp/real"][...], want)
        assert f["cplx"].dtype == np.complex128, f["cplx"].dtype
        assert np.array_equal(f["cplx"][...], np.arange(6) - 1j * np.arange(6))
        assert f["flags"].dtype == np.bool_, f["flags"].dtype
        assert np.array_equal(f["flags"][...], np.arange(6) % 2 == 0)
        assert f["ints"].dtype == np.int32
        assert np.array_equal(f["ints"][...], 3 * np.arange(4)[:, None] + np.arange(3)[None, :] - 5)


def write(d):
    np.save(d + "/from_py.npy", np.arange(20, dtype=np.float32).reshape(5, 4))
    np.save(d + "/from_py_c.npy", (np.arange(3) + 1j).astype(np.complex64))
    with h5py.File(d + "/from_py.h5", "w") as f:
        f["a/b"] = np.arange(42, dtype=np.float64).reshape(6, 7)
        f["cplx"] = np.arange(5) + 2j
        f["flags"] = np.arange(5) % 3 == 0
        f["i64"] = np.arange(5, dtype=np.int64) ** 2


if __name__ == "__main__":
    {"check": check, "write": write}[sys.argv[1]](sys.argv[2])
    print("interop.py", sys.argv[1], "ok")
