"""No traceback ever reaches a user (issue 12 item 10): the real ``necka-tray`` in a subprocess.

A reader that goes away, a terminal that cannot show the output, and a bug
in a command all end in at most one line on stderr; the traceback of a bug
goes to the log file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from necka_tray import cli

NECKA_TRAY = str(Path(sys.executable).with_name("necka-tray"))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and encodings")


@pytest.fixture
def env(tmp_path, monkeypatch):
    values = {}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        (tmp_path / var).mkdir(mode=0o700)
        monkeypatch.setenv(var, str(tmp_path / var))
        values[var] = str(tmp_path / var)
    monkeypatch.delenv("NECKA_TIME_SCALE", raising=False)
    return {**os.environ, **values}


def _into_a_closed_pipe(env, *args) -> subprocess.CompletedProcess:
    """``necka-tray ARGS | true`` without the race: the reading end is closed before it runs."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([NECKA_TRAY, *args], env=env, stdout=write, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    finally:
        os.close(write)


@pytest.mark.parametrize("args, code", [(("status", "--json"), 3), (("status",), 3), (("stats",), 0),
                                        (("stats", "--csv"), 0), (("--help",), 0)])
def test_a_reader_that_went_away_is_no_traceback(env, args, code):
    done = _into_a_closed_pipe(env, *args)
    assert done.stderr == ""
    assert done.returncode in (code, 0)


def test_a_terminal_that_cannot_show_the_output_gets_question_marks(env):
    done = subprocess.run([NECKA_TRAY, "stats"], env={**env, "PYTHONIOENCODING": "ascii"}, capture_output=True,
                          timeout=60)
    assert (done.returncode, done.stderr) == (0, b"")
    assert b"?" in done.stdout and done.stdout.isascii()  # the en dash of the date span, the em dash of no data
    assert done.stdout.startswith(b"Necka statistics, ")


def test_an_unexpected_error_is_one_line_and_its_traceback_is_in_the_log(env, capsys, monkeypatch):
    from necka_tray.cli import status
    from necka_tray.store.paths import AppPaths

    def broken(args):
        raise TypeError("unhashable type: 'list'\nsecond line")

    monkeypatch.setattr(status, "run", broken)
    assert cli.main(["status"]) == 1
    out, err = capsys.readouterr()
    log = AppPaths.for_user().log_file
    assert out == "" and err.count("\n") == 1
    assert err == (f"necka-tray status: unexpected error (TypeError: unhashable type: 'list' second line); "
                   f"details in {log}\n")
    text = log.read_text()
    assert "ERROR necka_tray.cli necka-tray status failed" in text and "Traceback (most recent call last)" in text
    assert (log.stat().st_mode & 0o777) == 0o600


def test_an_unexpected_error_with_no_writable_log_is_still_one_line(env, capsys, monkeypatch):
    from necka_tray.cli import skip

    monkeypatch.setattr(skip, "run", lambda args: {}["x"])
    Path(env["XDG_STATE_HOME"]).chmod(0o500)
    try:
        if os.access(env["XDG_STATE_HOME"], os.W_OK):
            Path(env["XDG_STATE_HOME"], "necka-tray").write_text("a file where the log folder goes")
        assert cli.main(["skip"]) == 1
    finally:
        Path(env["XDG_STATE_HOME"]).chmod(0o700)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("necka-tray skip: unexpected error (KeyError: 'x'); the log ")
