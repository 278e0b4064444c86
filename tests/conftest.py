"""Suite-wide settings: the Hypothesis profiles for the property tests of the parsers.

``ci`` (the default) is derandomized, so a run is reproducible and a red test is never noise;
``long`` (``pytest --hypothesis-profile=long``) draws 20 times as many cases, at random.
"""

from __future__ import annotations

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # only the property tests need it; they skip without it
    settings = None

if settings is not None:
    _common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    settings.register_profile("ci", max_examples=700, derandomize=True, **_common)
    settings.register_profile("long", max_examples=14_000, **_common)
    settings.load_profile("ci")
