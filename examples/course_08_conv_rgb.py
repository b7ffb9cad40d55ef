"""Course exercise 8: an RGB 3x3x3 image and a 2x2x3 filter.

Each output entry sums the three channel-wise 2x2 dot products, so the
output is 2x2. The worked numbers (a small image with values 0..26 and a
filter of +1/-1) are compared with explicit NumPy loops.
"""

import numpy as np

import symgraph as sg

image = np.arange(27, dtype=float).reshape(3, 3, 3)  # channels R, G, B
filt = np.array([[[1, 0], [0, -1]], [[0, 1], [-1, 0]], [[1, 1], [0, 0]]], dtype=float)
X = sg.symbols_array("X", (3, 3, 3))
W = sg.symbols_array("W", (3, 2, 2))
Y = sum(sg.correlate2d(X[c], W[c]) for c in range(3))
print("Y[0, 0] =", Y[0, 0])

at = {X[i]: image[i] for i in np.ndindex(X.shape)} | {
    W[i]: filt[i] for i in np.ndindex(W.shape)
}
y = sg.evaluate(Y, at)
for c, name in enumerate("RGB"):
    print(f"{name} channel:\n{image[c]}\nfilter:\n{filt[c]}")
print("output Y =\n", y)

expected = np.zeros((2, 2))
for i, j in np.ndindex(2, 2):
    for c in range(3):
        for m, n in np.ndindex(2, 2):
            expected[i, j] += image[c, i + m, j + n] * filt[c, m, n]
assert np.array_equal(y, expected)

# the gradient of one output entry with respect to the image is the filter,
# placed at that entry's window
dX = sg.evaluate(sg.grad(Y[1, 0], X), at)
placed = np.zeros((3, 3, 3))
placed[:, 1:3, 0:2] = filt
assert np.array_equal(dX, placed)
print("matches explicit loops; dY[1,0]/dX is the filter placed on its window")
