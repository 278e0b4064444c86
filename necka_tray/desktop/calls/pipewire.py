"""PipeWire: running capture, camera and screencast nodes, from ``pw-dump``'s JSON.

- a ``Stream/Input/Audio`` node in state running: an app records from a microphone;
- a ``Video/Source`` node of a camera (``device.api`` v4l2 or libcamera) running: the camera is on;
- any other running ``Video/Source`` (the desktop portal's screencast), or a running
  ``Stream/Input/Video`` with no camera on: the screen is being shared.
"""

from __future__ import annotations

from necka_tray.texts.i18n import N_

import shutil
from typing import Any, Mapping

from necka_tray.desktop.calls import run_json

CAMERA_APIS = {"v4l2", "libcamera"}


def reasons(objects: list[dict[str, Any]]) -> list[str]:
    """What the running nodes say, most telling first (empty: no call)."""
    mic = camera = screen = video_in = False
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") != "PipeWire:Interface:Node":
            continue
        info = obj.get("info") or {}
        if info.get("state") != "running":
            continue
        props = info.get("props") or {}
        media = props.get("media.class")
        if media == "Stream/Input/Audio":
            mic = True
        elif media == "Video/Source":
            if props.get("device.api") in CAMERA_APIS or "api.v4l2.path" in props or "api.libcamera.path" in props:
                camera = True
            else:
                screen = True
        elif media == "Stream/Input/Video":
            video_in = True
    screen = screen or (video_in and not camera)
    return [r for r, on in ((N_("microphone in use"), mic), (N_("camera in use"), camera),
                            (N_("screen shared"), screen)) if on]


class PipeWireNodes:
    name = "pipewire"

    def __init__(self, pw_dump: str) -> None:
        self._argv = [pw_dump]

    def in_call(self) -> str | None:
        objects = run_json(self._argv)
        found = reasons(objects) if isinstance(objects, list) else []
        return found[0] if found else None


def open_source(env: Mapping[str, str]) -> PipeWireNodes | None:
    pw_dump = shutil.which("pw-dump")
    return PipeWireNodes(pw_dump) if pw_dump else None
