"""The wheel as pip and pipx users get it: no compiler, nothing but wheels, and a working command.

``pip install --only-binary=:all:`` of the wheel and its dependencies into a fresh virtual
environment (so a dependency that would build from source fails the test), ``pipx install`` of
the wheel, and ``twine check`` of the wheel and the sdist (what PyPI would say of their metadata
and README). The dependencies come from the package index, as for a user. pipx is a Debian
package (scripts/bootstrap --dev), twine a test extra: missing, these tests skip locally and fail under CI.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from necka_tray import __version__

from .test_packaging import dists, tool  # noqa: F401  (the module's own build, reused)

#: Neither a compiler nor a source build may be used: a "compiler" that fails.
NO_COMPILER = {"CC": "/bin/false", "CXX": "/bin/false", "PIP_NO_INPUT": "1"}


def run(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_the_wheel_installs_from_wheels_alone_and_runs(dists, tmp_path):
    wheel, _ = dists
    venv = tmp_path / "env"
    assert run(sys.executable, "-m", "venv", str(venv)).returncode == 0
    done = run(str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--only-binary=:all:", str(wheel),
               env=NO_COMPILER)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    version = run(str(venv / "bin" / "necka-tray"), "--version")
    assert (version.returncode, version.stdout) == (0, f"necka-tray {__version__}\n"), version.stderr
    # Every dependency the app imports at run time came along (headless: no display needed).
    imports = run(str(venv / "bin" / "python"), "-c", "import necka_tray.owner.app, necka_tray.tray.xembed, "
                  "necka_tray.schedule.scheduling, apscheduler, PIL, plyer, platformdirs, jeepney, tomlkit, Xlib, importlib.util; "
                  "assert importlib.util.find_spec('pystray')")  # importing pystray needs a display
    assert imports.returncode == 0, imports.stderr
    listed = run(str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze").stdout.lower()
    assert "pygobject" not in listed  # the [gtk] extra only


def test_pipx_installs_the_wheel(dists, tmp_path):
    wheel, _ = dists
    pipx = tool("pipx", "pipx")
    env = {**NO_COMPILER, "PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin"),
           "PIP_ONLY_BINARY": ":all:"}
    done = run(pipx, "install", str(wheel), env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    version = run(str(tmp_path / "bin" / "necka-tray"), "--version")
    assert (version.returncode, version.stdout) == (0, f"necka-tray {__version__}\n"), version.stderr


def test_twine_check_passes_on_the_wheel_and_the_sdist(dists):
    if importlib.util.find_spec("twine") is None:  # Debian 12's twine 4 cannot read Metadata-Version 2.4
        message = "twine is not installed (pip install -e '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    done = run(sys.executable, "-m", "twine", "check", "--strict", *map(str, dists), timeout=120)
    assert done.returncode == 0 and done.stdout.count("PASSED") == 2, done.stdout + done.stderr
