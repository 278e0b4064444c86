"""Hypothesis profiles for the property tests of the parsers of outside input.

``ci`` (the default) runs at least 2,000 cases per parser and stays fast;
``pytest --hypothesis-profile=long`` runs 50,000 for a deeper search.
No deadline per example: a shared 2-core machine has pauses, so the tests
bound their own time where time is what they check.
"""

from __future__ import annotations

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # the property tests skip themselves without it
    pass
else:
    _common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                   derandomize=False, print_blob=True)
    settings.register_profile("ci", max_examples=2000, **_common)
    settings.register_profile("long", max_examples=50_000, **_common)
    settings.load_profile("ci")
