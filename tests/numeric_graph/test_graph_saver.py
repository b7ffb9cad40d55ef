"""Saver: bit-exact round trips, validation before any change, corrupt and
pickled files refused, atomic writes (failing and killed), max_to_keep."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import numeric.graph as G
from numeric.errors import CheckpointError

ROOT = Path(__file__).resolve().parents[2]


def _model(rng, hidden=4):
    w = G.Variable(rng.standard_normal((3, hidden)), name="w")
    b = G.Variable(rng.standard_normal(hidden), name="b")
    step = G.train.get_or_create_global_step()
    loss = G.reduce_sum(G.tanh(G.constant(np.ones((2, 3))) @ w + b) ** 2)
    train = G.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
    return train


def _values(sess):
    return {v.op.name: sess.run(v) for v in G.global_variables()}


def test_saver_round_trip_is_bit_exact(graph, rng, tmp_path):
    train = _model(rng)
    saver = G.train.Saver()
    with G.Session() as sess:
        sess.run(G.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        saved = _values(sess)
        path = saver.save(
            sess, str(tmp_path / "model"), global_step=G.train.get_global_step()
        )
    assert path.endswith("model-3.npz")
    with G.Session() as sess:
        saver.restore(sess, path)
        restored = _values(sess)
    assert saved.keys() == restored.keys()
    for name, value in saved.items():
        assert value.dtype == restored[name].dtype
        assert value.tobytes() == restored[name].tobytes(), name


def test_restore_into_mismatched_graph_changes_nothing(rng, tmp_path):
    with G.Graph().as_default():
        _model(rng, hidden=4)
        G.Variable(1.0, name="extra_in_file")
        with G.Session() as sess:
            sess.run(G.global_variables_initializer())
            path = G.train.Saver().save(sess, str(tmp_path / "model"))
    with G.Graph().as_default():
        _model(rng, hidden=5)
        G.Variable(1.0, name="only_in_graph")
        saver = G.train.Saver()
        with G.Session() as sess:
            sess.run(G.global_variables_initializer())
            before = _values(sess)
            with pytest.raises(CheckpointError) as info:
                saver.restore(sess, path)
            after = _values(sess)
    message = str(info.value)
    assert "only_in_graph" in message and "extra_in_file" in message
    assert "w (checkpoint (3, 4) float64, graph (3, 5) float64)" in message
    for name in before:
        assert before[name].tobytes() == after[name].tobytes(), name


def _saved_file(rng, tmp_path):
    w = G.Variable(rng.standard_normal((50, 50)), name="w")
    saver = G.train.Saver()
    sess = G.Session()
    sess.run(w.initializer)
    path = saver.save(sess, str(tmp_path / "model"))
    return w, saver, sess, path


def test_truncated_checkpoint_raises_checkpoint_error(graph, rng, tmp_path):
    _w, saver, sess, path = _saved_file(rng, tmp_path)
    data = Path(path).read_bytes()
    for cut in (0, 10, len(data) // 2, len(data) - 5):
        Path(path).write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match=r"corrupt|truncated|not"):
            saver.restore(sess, path)


def test_bit_flipped_checkpoint_raises_checkpoint_error(graph, rng, tmp_path):
    w, saver, sess, path = _saved_file(rng, tmp_path)
    original = sess.run(w)
    data = bytearray(Path(path).read_bytes())
    for offset in (200, len(data) // 2, len(data) - 300):
        flipped = bytearray(data)
        flipped[offset] ^= 0x10
        Path(path).write_bytes(bytes(flipped))
        with pytest.raises(CheckpointError):
            saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(w), original)


def test_checksum_catches_consistent_tampering(graph, rng, tmp_path):
    _w, saver, sess, path = _saved_file(rng, tmp_path)
    with np.load(path) as npz:
        arrays = dict(npz)
    arrays["v0"] = arrays["v0"] + 1.0  # a well-formed file whose data changed
    np.savez(path, **arrays)
    with pytest.raises(CheckpointError, match="sha256"):
        saver.restore(sess, path)


class _Payload:
    def __reduce__(self):
        return (Path.touch, (Path(os.environ["PAYLOAD_MARKER"]),))


def test_object_array_checkpoint_refused_without_running_code(
    graph, rng, tmp_path, monkeypatch
):
    marker = tmp_path / "pwned"
    monkeypatch.setenv("PAYLOAD_MARKER", str(marker))
    _w, saver, sess, path = _saved_file(rng, tmp_path)
    with np.load(path) as npz:
        arrays = dict(npz)
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload()
    arrays["v0"] = payload
    np.savez(path, **arrays)  # numpy pickles the object array
    with pytest.raises(CheckpointError, match="object array"):
        saver.restore(sess, path)
    assert not marker.exists()


def test_failed_save_keeps_previous_checkpoint(graph, rng, tmp_path, monkeypatch):
    w, saver, sess, path = _saved_file(rng, tmp_path)
    good = Path(path).read_bytes()
    sess.run(w.assign(np.zeros((50, 50))))

    def failing_savez(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="simulated"):
        saver.save(sess, path)
    monkeypatch.undo()
    assert Path(path).read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint", "model.npz"]
    saver.restore(sess, path)
    assert sess.run(w).any()


_KILLED_SAVER = textwrap.dedent(
    """
    import sys
    import numpy as np
    import numeric.graph as G

    w = G.Variable(np.random.default_rng(0).standard_normal((2_000_000,)), name="w")
    saver = G.train.Saver(max_to_keep=None)
    with G.Session() as sess:
        sess.run(w.initializer)
        saver.save(sess, sys.argv[1], global_step=1)
        print("saved", flush=True)
        for i in range(1000):
            sess.run(w.assign_add(np.ones(2_000_000)))
            saver.save(sess, sys.argv[1], global_step=2)
    """
)


def test_killed_save_leaves_no_partial_file(tmp_path):
    prefix = str(tmp_path / "model")
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_SAVER, prefix],
        stdout=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "saved"
        time.sleep(0.6)  # inside the save loop
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with G.Graph().as_default():
        w = G.Variable(np.zeros(2_000_000), name="w")
        saver = G.train.Saver()
        with G.Session() as sess:
            saver.restore(sess, prefix + "-1.npz")  # the previous checkpoint
            first = sess.run(w)
            if os.path.exists(prefix + "-2.npz"):  # complete, or absent
                saver.restore(sess, prefix + "-2.npz")
                delta = sess.run(w) - first
                steps = np.round(delta[0])  # the number of assign_add before that save
                assert steps >= 1
                np.testing.assert_allclose(delta, steps, atol=1e-9)
    finals = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert set(finals) <= {"checkpoint", "model-1.npz", "model-2.npz"}
    assert G.train.latest_checkpoint(str(tmp_path)) is not None


def test_max_to_keep_deletes_oldest(graph, tmp_path):
    w = G.Variable(0.0, name="w")
    saver = G.train.Saver(max_to_keep=2)
    with G.Session() as sess:
        sess.run(w.initializer)
        paths = [
            saver.save(sess, str(tmp_path / "ckpt"), global_step=i) for i in range(5)
        ]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["checkpoint", "ckpt-3.npz", "ckpt-4.npz"]
    assert G.train.latest_checkpoint(str(tmp_path)) == paths[-1]
    assert saver.last_checkpoints == paths[-2:]


def test_a_new_saver_deletes_only_checkpoints_it_wrote(graph, tmp_path):
    # TF1's rule: max_to_keep counts this saver's own saves; the files of an
    # earlier run (another Saver) stay on disk
    w = G.Variable(0.0, name="w")
    with G.Session() as sess:
        sess.run(w.initializer)
        first_run = G.train.Saver(max_to_keep=2)
        for i in range(3):
            first_run.save(sess, str(tmp_path / "ckpt"), global_step=i)
        second_run = G.train.Saver(max_to_keep=2)
        for i in range(10, 13):
            second_run.save(sess, str(tmp_path / "ckpt"), global_step=i)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "checkpoint", "ckpt-1.npz", "ckpt-11.npz", "ckpt-12.npz", "ckpt-2.npz"
    ]  # fmt: skip
    index = json.loads((tmp_path / "checkpoint").read_text())
    assert index["all_model_checkpoint_paths"] == ["ckpt-11.npz", "ckpt-12.npz"]
    assert G.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt-12.npz")


def test_latest_checkpoint_none_without_index(tmp_path):
    assert G.train.latest_checkpoint(str(tmp_path)) is None


def test_checkpoint_index_is_json_written_atomically(graph, tmp_path):
    w = G.Variable(0.0, name="w")
    with G.Session() as sess:
        sess.run(w.initializer)
        G.train.Saver().save(sess, str(tmp_path / "m"), global_step=7)
    index = json.loads((tmp_path / "checkpoint").read_text())
    assert index["model_checkpoint_path"] == "m-7.npz"
    with zipfile.ZipFile(tmp_path / "m-7.npz") as z:
        assert sorted(z.namelist()) == ["__manifest__.npy", "v0.npy"]
