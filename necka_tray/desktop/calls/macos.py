"""macOS: CoreAudio's "running somewhere" flag of the default input device, through ctypes.

``kAudioDevicePropertyDeviceIsRunningSomewhere`` is true while any process
records from the device: the flag only, no audio. ``get`` is
``AudioObjectGetPropertyData``; tests pass a fake one.
"""

from __future__ import annotations

from necka_tray.texts.i18n import N_

import ctypes
from typing import Callable, Mapping


def fourcc(code: str) -> int:
    return int.from_bytes(code.encode("ascii"), "big")


SYSTEM_OBJECT = 1
DEFAULT_INPUT = fourcc("dIn ")
RUNNING_SOMEWHERE = fourcc("gone")
SCOPE_GLOBAL = fourcc("glob")
ELEMENT_MAIN = 0


class PropertyAddress(ctypes.Structure):
    _fields_ = [("mSelector", ctypes.c_uint32), ("mScope", ctypes.c_uint32), ("mElement", ctypes.c_uint32)]


class CoreAudioInput:
    name = "coreaudio"

    def __init__(self, get: Callable[..., int]) -> None:
        self._get = get

    def _read(self, obj: int, selector: int) -> int | None:
        address = PropertyAddress(selector, SCOPE_GLOBAL, ELEMENT_MAIN)
        out = ctypes.c_uint32(0)
        size = ctypes.c_uint32(ctypes.sizeof(out))
        status = self._get(ctypes.c_uint32(obj), ctypes.byref(address), 0, None, ctypes.byref(size), ctypes.byref(out))
        return out.value if status == 0 else None

    def in_call(self) -> str | None:
        device = self._read(SYSTEM_OBJECT, DEFAULT_INPUT)
        if not device:  # no input device, or the query failed
            return None
        return N_("microphone in use") if self._read(device, RUNNING_SOMEWHERE) else None


def open_source(env: Mapping[str, str]) -> CoreAudioInput:
    lib = ctypes.CDLL("/System/Library/Frameworks/CoreAudio.framework/CoreAudio")
    get = lib.AudioObjectGetPropertyData
    get.restype = ctypes.c_int32
    return CoreAudioInput(get)
