"""PulseAudio (or pipewire-pulse): a running capture stream, from ``pactl -f json list source-outputs``.

A source-output is an app recording from a source; ``corked`` ones are paused.
Level meters (pavucontrol, volume applets) open peak-detect streams that are
not calls, so they are left out.
"""

from __future__ import annotations

from necka_tray.texts.i18n import N_

import shutil
from typing import Any, Mapping

from necka_tray.desktop.calls import run_json

#: Apps whose capture streams only measure a level.
METERS = {"org.PulseAudio.pavucontrol", "org.gnome.VolumeControl", "org.kde.plasma-pa"}


def capturing(source_outputs: list[dict[str, Any]]) -> bool:
    """True when any stream records (not corked, not a level meter)."""
    for out in source_outputs:
        if not isinstance(out, dict) or out.get("corked") is True:
            continue
        props = out.get("properties") or {}
        if out.get("resample_method") == "peaks" or props.get("application.id") in METERS:
            continue
        return True
    return False


class PulseCapture:
    name = "pulse"

    def __init__(self, pactl: str) -> None:
        self._argv = [pactl, "-f", "json", "list", "source-outputs"]

    def in_call(self) -> str | None:
        outputs = run_json(self._argv)
        return N_("microphone in use") if isinstance(outputs, list) and capturing(outputs) else None


def open_source(env: Mapping[str, str]) -> PulseCapture | None:
    pactl = shutil.which("pactl")
    return PulseCapture(pactl) if pactl else None
