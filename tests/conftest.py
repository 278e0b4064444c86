"""Suite-wide settings: the Hypothesis profiles for the property tests of the parsers of outside input.

``ci`` (the default) runs 2,000 cases per property test, derandomized, so a run is reproducible
and a red test is never noise; ``pytest --hypothesis-profile=long`` draws 50,000, at random, for a
deeper search. No deadline per example: a shared 2-core machine has pauses, so the tests bound
their own time (CPU time) where time is what they check.
"""

from __future__ import annotations

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # only the property tests need it; they skip without it
    settings = None

if settings is not None:
    _common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                   print_blob=True)
    settings.register_profile("ci", max_examples=2000, derandomize=True, **_common)
    settings.register_profile("long", max_examples=50_000, **_common)
    settings.load_profile("ci")


try:
    import pytest
except ImportError:  # pragma: no cover - pytest runs this file
    pytest = None

if pytest is not None:
    @pytest.fixture
    def private_bus(tmp_path):
        """The address of a private dbus-daemon of this test's own (tests/privatebus.py)."""
        from tests import privatebus

        with privatebus.running(tmp_path) as address:
            yield address

    @pytest.fixture
    def said(monkeypatch):
        """What dbfile told the user, with a fresh once-only memory for this test."""
        from necka_tray.store import dbfile

        monkeypatch.setattr(dbfile, "_said", set())
        monkeypatch.setattr(dbfile, "_moved", set())
        monkeypatch.setattr(dbfile, "_waiting", [])
        messages: list[str] = []
        dbfile.set_reporter(messages.append)
        yield messages
        dbfile.set_reporter(None)
