"""Hypothesis profiles for the whole suite.

``ci`` (the default) is derandomized: the same examples on every run, so a
failure reproduces and CI time is stable. ``long`` draws fresh random
examples, 1,000 per test where a test does not set its own number, for a
deeper look before a release:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,  # no examples replayed from earlier runs: every run the same
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
