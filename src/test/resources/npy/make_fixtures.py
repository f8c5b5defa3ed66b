"""Writes the .npy/.npz fixtures NpyTest reads. Run from this folder: python3 make_fixtures.py
Values are simple formulas so the test can recompute them independently."""
import numpy as np
from numpy.lib import format as fmt

np.save("f4_2x3.npy", (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3))
np.save("f8_3.npy", np.array([1.5, -2.25, 1e300], dtype=np.float64))
np.save("i8_2x2.npy", np.array([[0, -1], [2**40, -(2**62)]], dtype=np.int64))
np.save("i4_4.npy", np.array([7, -8, 2**31 - 1, -(2**31)], dtype=np.int32))
np.save("u1_2x2x2.npy", np.array([0, 1, 127, 128, 200, 255, 3, 4], dtype=np.uint8).reshape(2, 2, 2))
np.save("i1_5.npy", np.array([-128, -1, 0, 1, 127], dtype=np.int8))
np.save("b1_4.npy", np.array([True, False, False, True]))
np.save("scalar_f4.npy", np.float32(3.25))
np.save("empty_0x3.npy", np.zeros((0, 3), dtype=np.float32))
for v in [(2, 0), (3, 0)]:
    with open(f"v{v[0]}_f4_2x3.npy", "wb") as f:
        fmt.write_array(f, (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3), version=v)
np.save("bigendian_f4.npy", np.array([1.0, 2.0], dtype=">f4"))
np.save("fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save("f2_4.npy", np.array([1.0, -2.5, 65504.0, 6e-08], dtype=np.float16))
x = (np.arange(24, dtype=np.float32) / 8).reshape(2, 3, 4)
y = np.array([3, 1], dtype=np.int64)
np.savez("stored.npz", x=x, y=y)
np.savez_compressed("deflated.npz", x=x, y=y)
