"""A real headless desktop for end-to-end tests.

Xvfb (X server), a private D-Bus session bus, dunst (notification daemon) and
trayer (XEmbed system tray), built by ``session.py``, started once per test
session and always torn down. ``sni_desktop`` is the same with a
StatusNotifierItem host (watcher + gtk-sni-tray-standalone) instead of trayer. Missing tools skip these tests locally but fail
them when ``CI=true``: CI must never go green by silently skipping the desktop.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from . import xdesk
from .session import Desktop, die_with_parent, missing_tools, running_desktop, stop, user_env

HERE = Path(__file__).parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.desktop)


def _require_tools() -> None:
    missing = missing_tools()
    if missing:
        msg = f"desktop tools missing: {', '.join(missing)}; run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)


@pytest.fixture(scope="session")
def desktop(tmp_path_factory):
    _require_tools()
    with running_desktop(tmp_path_factory.mktemp("desktop")) as desk:
        yield desk


@pytest.fixture(scope="module")
def own_desktop(tmp_path_factory):
    """A desktop of the test module's own, which its tests may break (stop dunst, restart the tray)."""
    _require_tools()
    with running_desktop(tmp_path_factory.mktemp("owndesktop")) as desk:
        yield desk


@pytest.fixture(scope="session")
def sni_desktop(tmp_path_factory):
    """Xvfb, a private bus, status-notifier-watcher, gtk-sni-tray-standalone (a bar along the
    bottom edge) and dunst: the StatusNotifierItem desktop. No trayer."""
    _require_tools()
    with running_desktop(tmp_path_factory.mktemp("snidesktop"), tray="sni") as desk:
        yield desk


@pytest.fixture
def sni_env(sni_desktop, tmp_path):
    """``app_env`` on the SNI desktop (the pointer parked top right, away from the bar)."""
    return _user_env(sni_desktop, tmp_path, park=(1279, 0))


@pytest.fixture(scope="module")
def two_screens(tmp_path_factory):
    """A desktop of two 1280x800 monitors side by side (Xinerama), for the module's tests."""
    _require_tools()
    if not shutil.which("Xephyr"):
        msg = "Xephyr missing (Debian: xserver-xephyr); run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    with running_desktop(tmp_path_factory.mktemp("twoscreens"), screens=2) as desk:
        yield desk


@pytest.fixture
def app_env(desktop, tmp_path):
    """The desktop's env plus fresh per-user dirs, an empty notification history,
    and the pointer parked in the empty bottom-left corner, so a hover is a real
    enter (and the user counts as active from the start of the test)."""
    return _user_env(desktop, tmp_path)


def _user_env(desktop, tmp_path, park=(0, 799)):
    env = user_env(desktop.env, tmp_path)
    # The first-use safety note counts as read (test_routines_e2e shows it); else every session test
    # would first have to acknowledge it.
    from necka_tray.store.state import SAFETY_SEEN, WindowMemory

    WindowMemory(tmp_path / "data" / "necka-tray" / "state.json").update(**{SAFETY_SEEN: "2000-01-01"})
    xdesk.clear_notifications(env)
    xdesk.move(env, *park)
    return env


@pytest.fixture
def spawn():
    """``spawn(args, env, **popen_kw)`` starts a process that is killed (with its
    children) when the test ends, however it ends."""
    procs = []

    def start(args, env, **kw):
        procs.append(subprocess.Popen(args, env=env, start_new_session=True,
                                      preexec_fn=die_with_parent, **kw))
        return procs[-1]

    yield start
    for proc in procs:
        stop(proc)


def artifact_path(item, suffix: str = "") -> Path:
    name = re.sub(r"[^\w.-]+", "_", f"{item.path.stem}-{item.name}")
    return ARTIFACTS / f"{name}{'-' + suffix if suffix else ''}.png"


@pytest.fixture
def shot(request, desktop):
    """``shot("menu", window=None)`` saves test-artifacts/<module>-<test>-menu.png."""
    def take(suffix: str = "", window: int | None = None) -> Path:
        return desktop.screenshot(artifact_path(request.node, suffix), window)
    return take


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed desktop test leaves a screenshot of the whole screen behind."""
    report = yield
    args = getattr(item, "funcargs", {})
    desk = args.get("desktop") or args.get("sni_desktop") or args.get("own_sni_desktop")
    if report.when == "call" and isinstance(desk, Desktop):
        path = artifact_path(item, "failure")
        path.unlink(missing_ok=True)  # never a stale one from an earlier run
        if report.failed:
            with contextlib.suppress(Exception):
                desk.screenshot(path)
    return report


@pytest.fixture
def active_user(desktop):
    """A user typing away (Shift every 0.3 s) for the whole test."""
    with xdesk.keep_active(desktop.env):
        yield


@pytest.fixture
def start_sni_necka(sni_env, spawn, tmp_path):
    """``start_necka`` on the SNI desktop."""
    from .necka_app import make_start_necka

    return make_start_necka(sni_env, spawn, tmp_path)


@pytest.fixture
def start_necka(app_env, spawn, tmp_path):
    """``start_necka(*args, env=None)`` starts ``python -m necka_tray`` with fresh user dirs."""
    from .necka_app import make_start_necka

    return make_start_necka(app_env, spawn, tmp_path)
