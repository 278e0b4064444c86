"""Is the user in a call (or sharing the screen)? One small module per signal, like ``idle/``.

Every source has ``name`` and ``in_call() -> str | None``: the reason it sees
("microphone in use"), or None. A source reads only device *state* (is a
capture stream running, which process holds a camera, is idle inhibited): never
audio, video or window titles. Sources are asked only when a reminder is due
or waits (``PresenceMonitor.observe`` with ``check_quiet``), on the app's
dispatcher thread: no polling.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from typing import Mapping, Protocol

from necka_tray.desktop import AnySource, open_sources

logger = logging.getLogger(__name__)


class CallSource(Protocol):
    name: str

    def in_call(self) -> str | None: ...


class AnyCall(AnySource):
    """In a call when any source says so; the first reason wins (a failing source says no)."""

    what = "call"

    def in_call(self) -> str | None:
        return self.first(lambda source: source.in_call())


def candidates(env: Mapping[str, str], platform: str, which=shutil.which) -> list[str]:
    """The modules to try on this system, in order (``NECKA_CALLS``: a comma list, or "none")."""
    forced = env.get("NECKA_CALLS")
    if forced:
        return [] if forced == "none" else [n.strip() for n in forced.split(",") if n.strip()]
    if platform == "win32":
        return ["windows"]
    if platform == "darwin":
        return ["macos"]
    # pw-dump sees microphone, camera and screencast streams; pactl (PulseAudio, or pipewire-pulse)
    # only the microphone. Both may be installed with only one server running: a failing one says no.
    audio = [name for name, tool in (("pipewire", "pw-dump"), ("pulse", "pactl")) if which(tool)]
    return audio + ["camera", "inhibit"]


def detect(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> AnyCall:
    sources = list(open_sources("calls", candidates(env, platform), env, "call"))
    if not sources:
        logger.info("No call detection on this system: reminders are not held for calls.")
    return AnyCall(sources)


def run_json(argv: list[str], timeout: float = 2.0):
    """Run a small tool that prints JSON; its parsed output (raises when it fails)."""
    import json
    import subprocess

    out = subprocess.run(argv, capture_output=True, timeout=timeout, check=True, stdin=subprocess.DEVNULL)
    return json.loads(out.stdout or b"[]")
