"""A real headless desktop for end-to-end tests.

Xvfb (X server), a private D-Bus session bus, dunst (notification daemon) and
trayer (XEmbed system tray), started once per session and always torn down.
Missing tools skip these tests locally but fail them when ``CI=true``: CI must
never go green by silently skipping the desktop.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import re
import select
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import xdesk

HERE = Path(__file__).parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"

# tool -> Debian package (scripts/bootstrap --dev installs them all)
TOOLS = {
    "Xvfb": "xvfb", "xset": "x11-xserver-utils", "dbus-daemon": "dbus",
    "dunst": "dunst", "dunstctl": "dunst", "notify-send": "libnotify-bin",
    "trayer": "trayer", "xdotool": "xdotool", "xwininfo": "x11-utils",
}

# No service directories: nothing is D-Bus-activated behind our back (a stray
# default-config dunst, the a11y bus), so a missing service shows as an error.
BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# Bubbles at the bottom right, away from the tray at the top right (a bubble
# over an icon would swallow its clicks); they stay until closed.
DUNSTRC = """[global]
    origin = bottom-right
    offset = 10x10
    width = 320
    font = DejaVu Sans 10
    idle_threshold = 0
    history_length = 1000
    sticky_history = yes
    show_indicators = no
[urgency_low]
    timeout = 3600
[urgency_normal]
    timeout = 3600
[urgency_critical]
    timeout = 3600
"""

TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
          "--height", "32", "--transparent", "false",
          "--SetDockType", "true"]


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.desktop)


def _missing_tools() -> list[str]:
    missing = [f"{tool} (Debian: {pkg})" for tool, pkg in TOOLS.items() if not shutil.which(tool)]
    if not (shutil.which("import") or shutil.which("scrot")):
        missing.append("import or scrot (Debian: imagemagick or scrot)")
    return missing


_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:
    """Run in the child before exec: if pytest is killed outright (no teardown,
    e.g. a CI timeout's SIGKILL), the kernel sends this helper SIGTERM."""
    _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(proc: subprocess.Popen) -> None:
    """End a process started in its own session, and everything it spawned."""
    for sig, grace in ((signal.SIGTERM, 3), (signal.SIGKILL, 3)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
            return


def _log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def _start(stack: contextlib.ExitStack, tmp: Path, name: str, args: list[str], env=None,
           **kw) -> subprocess.Popen:
    """Start a long-running helper, logging to tmp/<name>.log, stopped on unwind."""
    log = open(tmp / f"{name}.log", "wb")
    stack.callback(log.close)
    proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=_die_with_parent, **kw)
    stack.callback(_stop, proc)
    return proc


def _start_and_read(stack, tmp, name, args, env=None) -> str:
    """Start a helper that writes one line to the fd given as ``{fd}`` in ``args``
    when it is ready (Xvfb's display number, dbus-daemon's address); return it."""
    r, w = os.pipe()
    try:
        proc = _start(stack, tmp, name, [a.format(fd=w) for a in args], env, pass_fds=(w,))
        os.close(w)
        w = None
        out = b""
        while not out.endswith(b"\n") and select.select([r], [], [], 10)[0]:
            chunk = os.read(r, 256)
            if not chunk:
                break
            out += chunk
    finally:
        os.close(r)
        if w is not None:
            os.close(w)
    if not out.endswith(b"\n"):
        raise RuntimeError(f"{name} did not start (rc={proc.poll()}): {_log_tail(tmp / f'{name}.log')}")
    return out.decode().strip()


def _wait_alive(proc, tmp, name, predicate, timeout=10):
    """Wait for ``predicate``, failing at once with the log if the process died."""
    def ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited {proc.returncode}: {_log_tail(tmp / f'{name}.log')}")
        return predicate()
    xdesk.wait_for(ready, timeout, what=f"{name} ready")


def _answers(env, *args) -> bool:
    return subprocess.run(args, env=env, capture_output=True, timeout=5).returncode == 0


BOUND_HELPERS = ("tray_icons", "wait_tray_icon", "popups", "move", "click", "key", "type_text",
                 "wait_window", "window_geometry", "screenshot", "notifications",
                 "displayed_count", "clear_notifications")


@dataclass
class Desktop:
    """The running desktop: its environment, and the xdesk helpers bound to it
    (``desktop.click(x, y)`` is ``xdesk.click(desktop.env, x, y)``)."""
    env: dict
    display: str
    tmp: Path
    wait_for = staticmethod(xdesk.wait_for)

    def __getattr__(self, name):
        if name in BOUND_HELPERS:
            return functools.partial(getattr(xdesk, name), self.env)
        raise AttributeError(name)


@pytest.fixture(scope="session")
def desktop(tmp_path_factory):
    missing = _missing_tools()
    if missing:
        msg = f"desktop tools missing: {', '.join(missing)}; run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)

    tmp = tmp_path_factory.mktemp("desktop")
    env = {k: v for k, v in os.environ.items()
           if k not in ("WAYLAND_DISPLAY", "XAUTHORITY", "DESKTOP_SESSION", "XDG_CURRENT_DESKTOP")}
    # GDK_BACKEND: never a developer's Wayland session; NO_AT_BRIDGE: no a11y bus.
    env.update(GDK_BACKEND="x11", NO_AT_BRIDGE="1", PYSTRAY_BACKEND="gtk")
    with contextlib.ExitStack() as stack:
        # -displayfd: Xvfb picks a free display itself and reports it when ready.
        env["DISPLAY"] = ":" + _start_and_read(stack, tmp, "xvfb", [
            "Xvfb", "-displayfd", "{fd}", "-screen", "0", "1280x800x24", "-nolisten", "tcp",
            "-noreset"])
        xdesk.run(env, "xset", "s", "off", "-dpms")  # else the screen saver blanks after 10 min
        # --nofork keeps the bus our child, stopped like the rest (--fork reparents it).
        (tmp / "bus.conf").write_text(BUS_CONF.format(dir=tmp))
        env["DBUS_SESSION_BUS_ADDRESS"] = _start_and_read(stack, tmp, "dbus", [
            "dbus-daemon", f"--config-file={tmp / 'bus.conf'}", "--nofork", "--print-address={fd}"],
            env)

        (tmp / "dunstrc").write_text(DUNSTRC)
        dunst = _start(stack, tmp, "dunst", ["dunst", "-config", str(tmp / "dunstrc")], env)
        _wait_alive(dunst, tmp, "dunst", lambda: _answers(env, "dunstctl", "is-paused"))

        trayer = _start(stack, tmp, "trayer", TRAYER, env)
        _wait_alive(trayer, tmp, "trayer", lambda: xdesk.has_tray(env))

        yield Desktop(env=env, display=env["DISPLAY"], tmp=tmp)


@pytest.fixture
def app_env(desktop, tmp_path):
    """The desktop's env plus fresh per-user dirs, an empty notification history,
    and the pointer parked in the empty bottom-left corner, so a hover is a real
    enter (and the user counts as active from the start of the test)."""
    env = dict(desktop.env)
    for var, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_RUNTIME_DIR", "runtime")):
        path = tmp_path / sub
        path.mkdir()
        path.chmod(0o700)
        env[var] = str(path)
    xdesk.clear_notifications(env)
    xdesk.move(env, 0, 799)
    return env


@pytest.fixture
def spawn():
    """``spawn(args, env, **popen_kw)`` starts a process that is killed (with its
    children) when the test ends, however it ends."""
    procs = []

    def start(args, env, **kw):
        procs.append(subprocess.Popen(args, env=env, start_new_session=True,
                                      preexec_fn=_die_with_parent, **kw))
        return procs[-1]

    yield start
    for proc in procs:
        _stop(proc)


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
    desk = getattr(item, "funcargs", {}).get("desktop")
    if report.when == "call" and isinstance(desk, Desktop):
        path = artifact_path(item, "failure")
        path.unlink(missing_ok=True)  # never a stale one from an earlier run
        if report.failed:
            with contextlib.suppress(Exception):
                desk.screenshot(path)
    return report
