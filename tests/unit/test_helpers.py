"""One table of helper processes; one way to build their command lines, frozen or not; one way to start them."""

from __future__ import annotations

import importlib
import sys
import threading

import pytest

from necka_tray.children import helpers, protocol
from necka_tray.children.processes import Children, OneAtATime


def test_every_helper_entry_exists():
    for name, helper in helpers.HELPERS.items():
        module, _, function = helper.entry.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), name


def test_command_lines_run_the_table_directly_or_frozen(monkeypatch):
    assert helpers.command("menu") == [sys.executable, "-m", "necka_tray.children.helpers", "menu"]
    assert helpers.self_command("quit") == [sys.executable, "-m", "necka_tray", "quit"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert helpers.command("icons", "24", "/f") == [sys.executable, helpers.FROZEN_ARG, "icons", "24", "/f"]
    assert helpers.self_command() == [sys.executable]
    with pytest.raises(KeyError):
        helpers.command("rm")


def test_an_unknown_helper_is_one_line(capsys):
    assert helpers.run("rm", []) == 2
    assert capsys.readouterr().err.startswith("necka-tray: no helper 'rm'; choose from session,")


def test_a_child_result_is_parsed_and_posted(monkeypatch):
    line = protocol.encode(protocol.InfoClosed("care"))
    monkeypatch.setattr(helpers, "command", lambda name, *args: [sys.executable, "-c", f"print({line!r})"])
    posted, done = [], threading.Event()

    def post(fn, *args):
        posted.append(fn)
        fn(*args)
        done.set()

    got = []
    window = OneAtATime(Children(post), "info", lambda message, code: got.append((message, code)), protocol.InfoClosed)
    assert window.start("care")
    assert done.wait(30)
    assert got == [(protocol.InfoClosed("care"), 0)] and len(posted) == 1


def test_a_child_that_prints_garbage_or_dies_gives_none(monkeypatch):
    monkeypatch.setattr(helpers, "command",
                        lambda name, *args: [sys.executable, "-c", "import sys; print('{oops'); sys.exit(3)"])
    done, got = threading.Event(), []
    Children(lambda fn, *a: (fn(*a), done.set())).start("session", on_end=lambda m, c: got.append((m, c)),
                                                         expect=protocol.SessionEnd)
    assert done.wait(30)
    assert got == [(None, 3)]
