"""Fixtures the integration tests share."""

from __future__ import annotations

import pytest

from necka_tray.store import dbfile


@pytest.fixture
def said(monkeypatch):
    """What dbfile told the user, with a fresh once-only memory for this test."""
    monkeypatch.setattr(dbfile, "_said", set())
    monkeypatch.setattr(dbfile, "_moved", set())
    monkeypatch.setattr(dbfile, "_waiting", [])
    messages: list[str] = []
    dbfile.set_reporter(messages.append)
    yield messages
    dbfile.set_reporter(None)
