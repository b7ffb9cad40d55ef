"""A small convolutional network on generated shapes, as a TF1-style graph.

The data set is drawn in NumPy: 12x12 grey images of four shapes (square
outline, plus-shaped cross, ring, diagonal line) at random sizes and
positions, with Gaussian noise (sigma 0.25). The network is conv2d(8, 3x3) ->
relu -> max_pool2d(2) -> conv2d(16, 3x3) -> relu -> max_pool2d(2) -> dense ->
softmax cross-entropy, trained with Adam on mini-batches. It reaches at least
90 % accuracy on 400 held-out images (asserted; typically 97-100 %). The run
saves a checkpoint halfway and finishes in a new session restored from it;
``--resume`` continues from the newest checkpoint in ``--ckpt-dir``.

    python examples/tf1_small_cnn.py [--steps 300] [--resume]
"""

import argparse
import os

import numpy as np

import numeric.graph as G

try:  # a progress bar when tqdm is installed, plain output otherwise
    from tqdm import tqdm
except ImportError:
    tqdm = None

SIZE = 12
CLASSES = ("square", "cross", "ring", "diagonal")
HELD_OUT_ACCURACY = 0.90


def draw(kind, rng):
    """One noisy SIZE x SIZE image of a shape of class ``kind``."""
    img = np.zeros((SIZE, SIZE))
    r = int(rng.integers(2, 5))  # half-size
    cy, cx = (int(v) for v in rng.integers(r, SIZE - r, size=2))
    if kind == 0:  # square outline
        img[cy - r, cx - r : cx + r + 1] = img[cy + r, cx - r : cx + r + 1] = 1
        img[cy - r : cy + r + 1, cx - r] = img[cy - r : cy + r + 1, cx + r] = 1
    elif kind == 1:  # plus-shaped cross
        img[cy, cx - r : cx + r + 1] = img[cy - r : cy + r + 1, cx] = 1
    elif kind == 2:  # ring
        yy, xx = np.mgrid[:SIZE, :SIZE]
        d = np.hypot(yy - cy, xx - cx)
        img[np.abs(d - r) < 0.6] = 1
    else:  # diagonal line, either direction
        sign = 1 if rng.random() < 0.5 else -1
        for i in range(-r, r + 1):
            img[cy + i, cx + sign * i] = 1
    return img + 0.25 * rng.standard_normal(img.shape)


def shapes_data(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASSES), size=n)
    x = np.stack([draw(k, rng) for k in y])[:, None, :, :]  # NCHW
    return x, y.astype(np.int64)


def log(message):
    (tqdm.write if tqdm else print)(message)


def steps(start, stop):
    if tqdm is None:
        return range(start, stop)
    return tqdm(
        range(start, stop), initial=start, total=stop, desc="train", leave=False
    )


def build_graph(seed=0):
    rng = np.random.default_rng(seed)

    def he(shape, fan_in):  # He initialization for ReLU layers
        return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)

    images = G.placeholder((None, 1, SIZE, SIZE), name="images")
    labels = G.placeholder((None,), dtype=G.int64, name="labels")
    with G.name_scope("conv1"):
        k1, c1 = (
            G.Variable(he((8, 1, 3, 3), 9), name="kernel"),
            G.Variable(np.zeros(8), name="bias"),
        )
        h1 = G.max_pool2d(
            G.relu(G.conv2d(images, k1, c1, padding=1)), 2
        )  # (?, 8, 6, 6)
    with G.name_scope("conv2"):
        k2, c2 = (
            G.Variable(he((16, 8, 3, 3), 72), name="kernel"),
            G.Variable(np.zeros(16), name="bias"),
        )
        h2 = G.max_pool2d(G.relu(G.conv2d(h1, k2, c2, padding=1)), 2)  # (?, 16, 3, 3)
    with G.name_scope("dense"):
        w = G.Variable(he((144, len(CLASSES)), 144), name="W")
        b = G.Variable(np.zeros(len(CLASSES)), name="b")
        logits = G.matmul(G.reshape(h2, (-1, 144)), w) + b
    loss = G.cross_entropy(logits, labels)
    step = G.train.get_or_create_global_step()
    train_op = G.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
    return {
        "images": images,
        "labels": labels,
        "logits": logits,
        "loss": loss,
        "step": step,
        "train_op": train_op,
    }


def accuracy(sess, m, x, y):
    logits = sess.run(m["logits"], {m["images"]: x})
    return float(np.mean(np.argmax(logits, axis=1) == y))


def train(sess, m, data, until, batch=32, log_every=50):
    x, y = data
    start = int(sess.run(m["step"]))
    rng = np.random.default_rng(start)
    for _ in steps(start, until):
        idx = rng.integers(0, len(x), size=batch)
        _, loss, i = sess.run(
            [m["train_op"], m["loss"], m["step"]],
            {m["images"]: x[idx], m["labels"]: y[idx]},
        )
        if i % log_every == 0:
            log(f"step {i:4d}  batch loss {loss:.4f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--ckpt-dir", default=os.path.join("checkpoints", "small_cnn"))
    parser.add_argument(
        "--resume", action="store_true", help="continue from the newest checkpoint"
    )
    args = parser.parse_args(argv)

    train_data = shapes_data(1200, seed=0)
    x_test, y_test = shapes_data(400, seed=1)
    with G.Graph().as_default():
        m = build_graph()
        saver = G.train.Saver(max_to_keep=3)
        prefix = os.path.join(args.ckpt_dir, "model")
        with G.Session() as sess:
            latest = G.train.latest_checkpoint(args.ckpt_dir) if args.resume else None
            if latest:
                saver.restore(sess, latest)
                log(f"restored {latest} at step {sess.run(m['step'])}")
            else:
                sess.run(G.global_variables_initializer())
                train(sess, m, train_data, until=args.steps // 2)
            halfway = accuracy(sess, m, x_test, y_test)
            path = saver.save(sess, prefix, global_step=m["step"])
            log(f"saved {path} (held-out accuracy {halfway:.2%})")
        with G.Session() as sess:
            saver.restore(sess, G.train.latest_checkpoint(args.ckpt_dir))
            assert accuracy(sess, m, x_test, y_test) == halfway
            train(sess, m, train_data, until=max(args.steps, int(sess.run(m["step"]))))
            train_acc = accuracy(sess, m, *train_data)
            test_acc = accuracy(sess, m, x_test, y_test)
            saver.save(sess, prefix, global_step=m["step"])

    print(f"training accuracy {train_acc:.2%}, held-out accuracy {test_acc:.2%}")
    assert test_acc >= HELD_OUT_ACCURACY, test_acc


if __name__ == "__main__":
    main()
