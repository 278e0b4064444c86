"""Necka as a process under test: start it with fresh per-user dirs, read its files.

Shared by the desktop tests; the ``start_necka`` fixture in conftest.py wraps it.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from Xlib.error import BadWindow

from . import xdesk


class Necka:
    """A running ``necka-tray`` process and the files it owns."""

    def __init__(self, env: dict, proc: subprocess.Popen, stderr: Path, started: float):
        self.env, self.proc, self.stderr, self.started = env, proc, stderr, started
        self.config = Path(env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
        self.data = Path(env["XDG_DATA_HOME"]) / "necka-tray"
        self.log = Path(env["XDG_STATE_HOME"]) / "necka-tray" / "log" / "necka-tray.log"

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def wait_log(self, pattern: str, timeout: float = 10) -> re.Match:
        return xdesk.wait_for(lambda: re.search(pattern, self.log_text()), timeout, what=f"log line {pattern!r}")

    def next_run(self, job_id: str) -> datetime | None:
        with sqlite3.connect(self.data / "jobs.sqlite3") as db:
            row = db.execute("SELECT next_run_time FROM apscheduler_jobs WHERE id = ?", (job_id,)).fetchone()
        return datetime.fromtimestamp(row[0], timezone.utc) if row and row[0] is not None else None

    def history(self, kind: str) -> list[dict]:
        with sqlite3.connect(self.data / "history.sqlite3") as db:
            try:
                rows = db.execute("SELECT ts, data FROM events WHERE kind = ? ORDER BY id", (kind,)).fetchall()
            except sqlite3.OperationalError as exc:  # the app has just created the file, not yet its table
                if "no such table" not in str(exc):
                    raise
                return []
        return [dict(json.loads(data), ts=ts) for ts, data in rows]


def make_start_necka(app_env, spawn, tmp_path):
    """``start(*args, env=None)`` runs ``python -m necka_tray *args`` as the user would."""

    def start(*args: str, env: dict | None = None) -> Necka:
        env = dict(env or app_env)
        stderr = tmp_path / f"necka-stderr-{time.monotonic_ns()}.txt"
        started = time.time()
        proc = spawn([sys.executable, "-m", "necka_tray", *args], env, stderr=stderr.open("w"))
        return Necka(env, proc, stderr, started)

    return start


def docked(desktop, necka: Necka, timeout: float = 15) -> xdesk.Win:
    """Necka's icon, once docked and settled (an early exit fails with its stderr)."""
    xdesk.wait_for(lambda: necka.proc.poll() is not None or desktop.tray_icons(), timeout, what="an icon in the tray")
    if necka.proc.poll() is not None:
        raise AssertionError(f"necka-tray exited {necka.proc.returncode}: {necka.stderr.read_text()}")
    return desktop.wait_tray_icon(timeout=timeout)


def downs_to(label: str, stretch_due: bool = False) -> int:
    """How many Down keys select ``label`` in the tray menu as the app shows it in these tests
    (not paused, routines and "Start at login" present): counted on the menu model itself, so
    items added above it elsewhere do not break the test."""
    from necka_tray.core.planner import TrayView
    from necka_tray.core.reminders import Kind
    from necka_tray.tray import menu_model

    view = TrayView(tooltip="Necka", status_lines=("Posture check in 20 min",), ring_step=0, stretch_due=stretch_due,
                    paused=False, session_running=False)
    extra = {}
    if hasattr(menu_model, "RoutineChoice"):
        extra["routines"] = (menu_model.RoutineChoice("neck", "Neck stretch", 110.0),)
    entries = menu_model.build_menu(view, 60, {k: True for k in Kind}, autostart=False,
                                    today=("Today: ...", "Streak: ..."), voice=False, **extra)
    enabled = [e.label for e in entries if e.enabled and not e.separator]
    return enabled.index(label) + 1


def menus(desktop) -> list[xdesk.Win]:
    """The open popup menus: not the tooltip, which the pointer on the icon may show first."""
    return [p for p in desktop.popups() if p.kind == "POPUP_MENU"]


def wait_menu(desktop, timeout: float = 10) -> xdesk.Win:
    """The tray menu once it takes keys: the menu process names its window only after it holds
    the pointer and keyboard (``popup_menu.MENU_TITLE``); keys sent to a menu merely mapped, as on
    a busy machine, would go elsewhere and be lost. Keys after that reach it in order, so a
    submenu opened with Right needs no wait of its own."""
    from necka_tray.windows.popup_menu import MENU_TITLE

    def ready():
        named = []
        for m in menus(desktop):
            with contextlib.suppress(BadWindow):  # a tooltip or an old menu closing meanwhile
                if xdesk.window_name(desktop.env, m.wid) == MENU_TITLE:
                    named.append(m)
        return named
    return xdesk.wait_for(ready, timeout, what="the tray menu holding the keyboard")[0]


def wait_menu_closed(desktop, timeout: float = 10) -> None:
    """No menu open, and the last one has let go of the pointer (a click meant for the icon
    would otherwise go to the menu that is closing)."""
    xdesk.wait_for(lambda: not menus(desktop) and not xdesk.pointer_grabbed(desktop.env), timeout,
                   what="the menu closed and the pointer free")


def open_menu_item(desktop, icon: xdesk.Win, label: str, stretch_due: bool = False) -> None:
    """Right-click the icon and choose ``label`` with the keyboard (disabled lines are skipped)."""
    wait_menu_closed(desktop)
    desktop.click(*icon.center, button=3)
    wait_menu(desktop)
    desktop.key(*["Down"] * downs_to(label, stretch_due))
    desktop.key("Return")
