"""CS231n's two-layer network on the spiral data set, as a TF1-style graph.

The data and the model follow the CS231n notes "Putting it together: Minimal
Neural Network Case Study": N=100 points per class, K=3 classes, D=2; 100
hidden ReLU units, a softmax (cross-entropy) loss with L2 regularization
0.5 * reg * (|W1|^2 + |W2|^2), reg = 1e-3, full-batch gradient descent with
step size 1. The course reports about 98 % training accuracy; this script
asserts more than 95 %. The run saves a checkpoint halfway, closes the
session and finishes in a new session restored from it; ``--resume`` continues
from the newest checkpoint in ``--ckpt-dir``.

    python examples/tf1_spiral_two_layer.py [--steps 3000] [--resume]
"""

import argparse
import os

import numpy as np

import numeric.graph as G

try:  # a progress bar when tqdm is installed, plain output otherwise
    from tqdm import tqdm
except ImportError:
    tqdm = None


def spiral_data(n=100, d=2, k=3, seed=0):
    """The CS231n spiral: k arms of n points each, in d = 2 dimensions."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n * k, d))
    y = np.zeros(n * k, dtype=np.int64)
    for j in range(k):
        ix = range(n * j, n * (j + 1))
        r = np.linspace(0.0, 1, n)  # radius
        t = np.linspace(j * 4, (j + 1) * 4, n) + rng.standard_normal(n) * 0.2  # theta
        x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return x, y


def log(message):
    (tqdm.write if tqdm else print)(message)


def steps(start, stop):
    if tqdm is None:
        return range(start, stop)
    return tqdm(
        range(start, stop), initial=start, total=stop, desc="train", leave=False
    )


def build_graph(d=2, h=100, k=3, reg=1e-3, step_size=1.0, seed=0):
    rng = np.random.default_rng(seed)
    x = G.placeholder((None, d), name="X")
    y = G.placeholder((None,), dtype=G.int64, name="y")
    with G.name_scope("hidden"):
        w1 = G.Variable(0.01 * rng.standard_normal((d, h)), name="W")
        b1 = G.Variable(np.zeros((1, h)), name="b")
        hidden = G.relu(G.matmul(x, w1) + b1)
    with G.name_scope("scores"):
        w2 = G.Variable(0.01 * rng.standard_normal((h, k)), name="W")
        b2 = G.Variable(np.zeros((1, k)), name="b")
        scores = G.matmul(hidden, w2) + b2
    data_loss = G.cross_entropy(scores, y)
    reg_loss = 0.5 * reg * G.reduce_sum(w1 * w1) + 0.5 * reg * G.reduce_sum(w2 * w2)
    loss = data_loss + reg_loss
    step = G.train.get_or_create_global_step()
    train_op = G.train.GradientDescentOptimizer(step_size).minimize(
        loss, global_step=step
    )
    return {
        "x": x,
        "y": y,
        "scores": scores,
        "loss": loss,
        "step": step,
        "train_op": train_op,
    }


def accuracy(sess, m, x, y):
    scores = sess.run(m["scores"], {m["x"]: x})
    return float(np.mean(np.argmax(scores, axis=1) == y))


def train(sess, m, feed, until, log_every=500):
    start = int(sess.run(m["step"]))
    for _ in steps(start, until):
        _, loss, i = sess.run([m["train_op"], m["loss"], m["step"]], feed)
        if i % log_every == 0:
            log(f"iteration {i:5d}: loss {loss:.6f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--ckpt-dir", default=os.path.join("checkpoints", "spiral"))
    parser.add_argument(
        "--resume", action="store_true", help="continue from the newest checkpoint"
    )
    args = parser.parse_args(argv)

    x, y = spiral_data()
    with G.Graph().as_default():
        m = build_graph()
        feed = {m["x"]: x, m["y"]: y}
        saver = G.train.Saver(max_to_keep=3)
        prefix = os.path.join(args.ckpt_dir, "model")
        with G.Session() as sess:
            latest = G.train.latest_checkpoint(args.ckpt_dir) if args.resume else None
            if latest:
                saver.restore(sess, latest)
                log(f"restored {latest} at iteration {sess.run(m['step'])}")
            else:
                sess.run(G.global_variables_initializer())
                train(sess, m, feed, until=args.steps // 2)
            halfway = accuracy(sess, m, x, y)
            path = saver.save(sess, prefix, global_step=m["step"])
            log(f"saved {path} (training accuracy {halfway:.2%})")
        with G.Session() as sess:
            saver.restore(sess, G.train.latest_checkpoint(args.ckpt_dir))
            assert (
                accuracy(sess, m, x, y) == halfway
            )  # the restored model is the saved one
            train(sess, m, feed, until=max(args.steps, int(sess.run(m["step"]))))
            final_loss = sess.run(m["loss"], feed)
            acc = accuracy(sess, m, x, y)
            saver.save(sess, prefix, global_step=m["step"])

    print(f"final loss {final_loss:.4f}, training accuracy: {acc:.2%}")
    assert acc > 0.95, acc


if __name__ == "__main__":
    main()
