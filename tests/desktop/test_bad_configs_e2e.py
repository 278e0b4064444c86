"""Every broken settings file of the corpus, given to the real app: it starts, says what is wrong, keeps the file.

``tests/data/bad_configs`` holds the broken ``config.toml`` files and, in
``expected.toml``, what must come of each (see test_config.py, which loads
them in-process). Here each one is handed to ``python -m necka_tray`` as a user
would have it, plus four that no file can show: a directory where the file
should be, a file the user cannot read, a named pipe and a symlink to /dev/zero
(these two once hung start-up or read until memory ran out). For each: the app starts (the
icon docks and the reminders are scheduled), stderr names the problem in one
line per problem with no traceback, what is broken falls back to its default
while the valid rest is used, and the file is byte-for-byte (and mode-for-mode)
what the user left.

The apps run in parallel batches on the shared desktop (each with its own
per-user dirs), so the whole corpus takes about half a minute.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from necka_tray.store.config import SCHEMA

from . import xdesk
from .session import WITHOUT_ROOT_OVERRIDES, die_with_parent, stop, user_env

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_configs"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in CORPUS.iterdir() if p.name != "expected.toml")
KINDS = ("posture", "shoulder_rolls", "stretch")
DIRECTORY, UNREADABLE = "(a directory at the settings path)", "(a settings file the user cannot read)"
# Issue 12 item 2: things that would block the start-up thread or read forever.
FIFO, DEV_ZERO = "(a named pipe at the settings path)", "(a symlink to /dev/zero at the settings path)"
CASES = FILES + [DIRECTORY, UNREADABLE, FIFO, DEV_ZERO]
EXPECTED[DIRECTORY] = {"mention": ["is a directory"], "all_defaults": True}
EXPECTED[UNREADABLE] = {"mention": ["cannot be read (Permission denied)"], "all_defaults": True}
EXPECTED[FIFO] = {"mention": ["is a named pipe (FIFO), not a regular file"], "all_defaults": True}
EXPECTED[DEV_ZERO] = {"mention": ["is a device, not a regular file"], "all_defaults": True}
UNREADABLE_TEXT = b"[reminders.stretch]\ninterval_minutes = 30\n"
BATCH = 8
READY = "action=control-listen"  # logged once the app has started (after the scheduler)


@dataclass
class Outcome:
    case: str
    config: Path
    before: tuple[bytes | None, int]
    after: tuple[bytes | None, int] = (None, 0)
    returncode: int | None = None
    stderr: str = ""
    log: str = ""


def _snapshot(path: Path) -> tuple[bytes | None, int]:
    """The file's bytes and mode (None for anything but a regular file: reading a FIFO blocks)."""
    st = path.lstat()
    return (path.read_bytes() if stat.S_ISREG(st.st_mode) else None), st.st_mode


def _prepare(case: str, root: Path, base_env: dict) -> tuple[dict, Path]:
    env = user_env(base_env, root)
    config = Path(env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(mode=0o700)
    if case == DIRECTORY:
        config.mkdir()
    elif case == FIFO:
        os.mkfifo(config)
    elif case == DEV_ZERO:
        config.symlink_to("/dev/zero")
    elif case == UNREADABLE:
        config.write_bytes(UNREADABLE_TEXT)
        config.chmod(0)
    else:
        config.write_bytes((CORPUS / case).read_bytes())
    return env, config


@pytest.fixture(scope="module")
def outcomes(desktop, tmp_path_factory) -> dict[str, Outcome]:
    """Run the app once per case, BATCH at a time; what each did and left behind."""
    results: dict[str, Outcome] = {}
    for start in range(0, len(CASES), BATCH):
        running = []
        for case in CASES[start:start + BATCH]:
            root = tmp_path_factory.mktemp("badcfg")
            env, config = _prepare(case, root, desktop.env)
            err = root / "stderr.txt"
            argv = [sys.executable, "-m", "necka_tray"]
            proc = subprocess.Popen([*WITHOUT_ROOT_OVERRIDES, *argv] if case == UNREADABLE else argv, env=env,
                                    stdout=subprocess.DEVNULL, stderr=err.open("w"),
                                    start_new_session=True, preexec_fn=die_with_parent)
            log = Path(env["XDG_STATE_HOME"]) / "necka-tray" / "log" / "necka-tray.log"
            running.append((proc, err, log, Outcome(case, config, _snapshot(config))))
        try:
            for proc, err, log, out in running:
                xdesk.wait_for(lambda: proc.poll() is not None or (log.exists() and READY in log.read_text()),
                               40, what=f"necka-tray started with {out.case}")
        finally:
            for proc, err, log, out in running:
                out.returncode = proc.poll()
                stop(proc)
                out.stderr = err.read_text(errors="replace")
                out.log = log.read_text(errors="replace") if log.exists() else ""
                out.after = _snapshot(out.config)
                results[out.case] = out
    return results


def _expected_jobs(spec: dict) -> dict[str, int | None]:
    """kind -> interval minutes (None: no job, the reminder is off), for the kinds the spec settles."""
    known: dict[str, dict] = {k: {} for k in KINDS}
    if spec.get("all_defaults") or spec.get("no_problems"):
        for kind in KINDS:
            known[kind] = {"enabled": True, "interval_minutes": SCHEMA[f"reminders.{kind}.interval_minutes"].default}
    for key in spec.get("defaults", []):
        _, kind, name = key.split(".")
        known[kind][name] = SCHEMA[key].default
    for key, value in spec.get("values", {}).items():
        if key.startswith("reminders."):
            _, kind, name = key.split(".")
            known[kind][name] = value
    jobs: dict[str, int | None] = {}
    for kind, k in known.items():
        if k.get("enabled") is False:
            jobs[kind] = None
        elif "interval_minutes" in k and k.get("enabled", True):
            jobs[kind] = k["interval_minutes"]
    return jobs


@pytest.mark.parametrize("case", CASES)
def test_the_app_starts_names_the_problem_uses_defaults_and_keeps_the_file(outcomes, case):
    out, spec = outcomes[case], EXPECTED[case]
    assert out.returncode is None, f"necka-tray exited {out.returncode}:\n{out.stderr}"
    assert READY in out.log, out.stderr
    assert "Traceback" not in out.stderr and "Traceback" not in out.log, out.stderr
    for text in spec.get("mention", []):
        assert text in out.stderr, f"{text!r} not said on stderr:\n{out.stderr}"
    problems = [line for line in out.stderr.splitlines() if "config.toml" in line]
    if spec.get("no_problems"):
        assert problems == [], out.stderr
    else:
        assert problems and all(line.startswith("necka-tray: ") for line in problems), out.stderr
    for kind, minutes in _expected_jobs(spec).items():
        added = re.search(rf"action=add job={kind} minutes=(\d+)", out.log)
        if minutes is None:
            assert added is None, f"{kind} is off in the file but was scheduled"
        else:
            assert added and int(added[1]) == minutes, f"{kind}: expected every {minutes} min; log:\n{out.log}"
    assert out.after == out.before, "the user's settings file was changed"


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_the_unreadable_case_really_cannot_be_read(outcomes):
    # Guards the test itself: as root without DAC override, mode 000 must deny the read.
    out = outcomes[UNREADABLE]
    assert out.before[1] & 0o777 == 0 and "Permission denied" in out.stderr
    assert os.geteuid() != 0 or subprocess.run([*WITHOUT_ROOT_OVERRIDES, "cat", str(out.config)], capture_output=True).returncode != 0
