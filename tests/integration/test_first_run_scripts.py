"""scripts/run and scripts/bootstrap as a first-time user meets them: what they say, and a held apt lock.

Both scripts run for real, in a copy of the repository's scripts/ folder, with the programs
they call (apt-get, dpkg-query, python3, the installed necka-tray) replaced on PATH by small
recorders, so no package is installed and no tray starts.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bash scripts for Debian")


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def repo(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    (copy / "bin").mkdir()
    return copy


def test_run_says_that_necka_runs_in_the_foreground_and_how_to_quit(repo):
    _tool(repo / "scripts", "bootstrap", "exit 0\n")
    (repo / ".venv" / "bin").mkdir(parents=True)
    _tool(repo / ".venv" / "bin", "necka-tray", 'echo "tray started with: $*"\n')
    done = subprocess.run(["bash", str(repo / "scripts" / "run")], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert done.stdout == "tray started with: \n"
    said = done.stderr
    assert "system tray" in said and "foreground" in said
    assert "Quit" in said and "Ctrl+C" in said and "necka-tray quit" in said


def test_run_with_a_command_passes_it_on_and_adds_no_banner(repo):
    _tool(repo / "scripts", "bootstrap", "exit 0\n")
    (repo / ".venv" / "bin").mkdir(parents=True)
    _tool(repo / ".venv" / "bin", "necka-tray", 'echo "$*"\n')
    done = subprocess.run(["bash", str(repo / "scripts" / "run"), "status"], capture_output=True, text=True,
                          timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (0, "status\n", "")


@pytest.mark.skipif(os.geteuid() != 0, reason="bootstrap asks for sudo when not root")
def test_bootstrap_waits_for_a_held_package_lock_and_says_so(repo):
    fake = repo / "bin"
    log = repo / "apt-get.log"
    _tool(fake, "dpkg-query", "exit 1\n")  # nothing is installed
    _tool(fake, "apt-get", f'echo "$*" >> {log}\n')
    # The lock probe fails (held); the tkinter check fails too, which ends bootstrap after apt.
    _tool(fake, "python3", "exit 1\n")
    env = {**os.environ, "PATH": f"{fake}:/usr/bin:/bin"}
    done = subprocess.run(["bash", str(repo / "scripts" / "bootstrap")], capture_output=True, text=True,
                          timeout=30, env=env)
    assert "another package manager holds the lock: waiting for it" in done.stderr
    calls = log.read_text().splitlines()
    assert len(calls) == 2 and calls[0].startswith("-o DPkg::Lock::Timeout=900 update")
    assert all("DPkg::Lock::Timeout=900" in call for call in calls)
    assert calls[1].startswith("install ")
