"""The first TF1 program: linear regression with placeholders, variables, a
mean-squared-error loss and gradient descent, in numeric.graph.

It recovers the coefficients of a noisy linear data set. The run shows save and
restore: it trains half the steps, saves a checkpoint, closes the session, and
continues in a new session restored from that checkpoint. ``--resume`` instead
continues from the newest checkpoint in ``--ckpt-dir``.

    python examples/tf1_linear_regression.py [--steps 300] [--resume]
"""

import argparse
import os

import numpy as np

import numeric.graph as G

try:  # a progress bar when tqdm is installed, plain output otherwise
    from tqdm import tqdm
except ImportError:
    tqdm = None

TRUE_W = np.array([[2.0], [-3.4], [1.7]])
TRUE_B = 4.2


def make_data(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    y = x @ TRUE_W + TRUE_B + 0.01 * rng.standard_normal((n, 1))
    return x, y


def log(message):
    (tqdm.write if tqdm else print)(message)


def steps(start, stop):
    if tqdm is None:
        return range(start, stop)
    return tqdm(
        range(start, stop), initial=start, total=stop, desc="train", leave=False
    )


def build_graph():
    # 1. placeholders: the data fed at each step
    x = G.placeholder((None, 3), name="x")
    y = G.placeholder((None, 1), name="y")
    # 2. variables: the parameters
    w = G.Variable(np.zeros((3, 1)), name="W")
    b = G.Variable(0.0, name="b")
    # 3. loss
    loss = G.mse(G.matmul(x, w) + b, y)
    # 4. optimizer
    step = G.train.get_or_create_global_step()
    train_op = G.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return {
        "x": x,
        "y": y,
        "w": w,
        "b": b,
        "loss": loss,
        "step": step,
        "train_op": train_op,
    }


def train(sess, m, data, until, batch=32, log_every=50, seed=0):
    x_all, y_all = data
    rng = np.random.default_rng(seed)
    start = int(sess.run(m["step"]))
    for _ in steps(start, until):
        idx = rng.integers(0, len(x_all), size=batch)
        _, loss, i = sess.run(
            [m["train_op"], m["loss"], m["step"]],
            {m["x"]: x_all[idx], m["y"]: y_all[idx]},
        )
        if i % log_every == 0:
            log(f"step {i:4d}  loss {loss:.6f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument(
        "--ckpt-dir", default=os.path.join("checkpoints", "linear_regression")
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from the newest checkpoint"
    )
    args = parser.parse_args(argv)

    data = make_data()
    with G.Graph().as_default():
        m = build_graph()
        saver = G.train.Saver(max_to_keep=3)
        prefix = os.path.join(args.ckpt_dir, "model")
        # 5. session, 6. initialize or restore, 7. run over batches
        with G.Session() as sess:
            latest = G.train.latest_checkpoint(args.ckpt_dir) if args.resume else None
            if latest:
                saver.restore(sess, latest)
                log(f"restored {latest} at step {sess.run(m['step'])}")
            else:
                sess.run(G.global_variables_initializer())
                train(sess, m, data, until=args.steps // 2)
            path = saver.save(sess, prefix, global_step=m["step"])
            log(f"saved {path}")
        with G.Session() as sess:  # a fresh session continues from the checkpoint
            saver.restore(sess, G.train.latest_checkpoint(args.ckpt_dir))
            log(f"restored at step {sess.run(m['step'])}; continuing")
            train(
                sess, m, data, until=max(args.steps, int(sess.run(m["step"]))), seed=1
            )
            w, b, loss = sess.run(
                [m["w"], m["b"], m["loss"]], {m["x"]: data[0], m["y"]: data[1]}
            )
            saver.save(sess, prefix, global_step=m["step"])

    print(f"learned W = {w.ravel().round(4)}  (true {TRUE_W.ravel()})")
    print(f"learned b = {b:.4f}  (true {TRUE_B})   final loss {loss:.6f}")
    assert np.allclose(w, TRUE_W, atol=0.02), w
    assert abs(b - TRUE_B) < 0.02, b
    assert loss < 1e-3, loss


if __name__ == "__main__":
    main()
