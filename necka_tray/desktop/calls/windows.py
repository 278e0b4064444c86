"""Windows: the privacy consent store says which apps use the microphone or the camera now.

Under ``HKCU\\...\\CapabilityAccessManager\\ConsentStore\\{microphone,webcam}`` each app
(packaged apps directly, desktop apps under ``NonPackaged``) has ``LastUsedTimeStart`` and
``LastUsedTimeStop``; a started use whose stop is 0 is going on. Only these two numbers
are read. The registry access is a small reader object so tests give fake values.
"""

from __future__ import annotations

from necka_tray.texts.i18n import N_

from typing import Mapping, Protocol

ROOT = r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
DEVICES = (("microphone", N_("microphone in use")), ("webcam", N_("camera in use")))


class Reader(Protocol):
    def subkeys(self, path: str) -> list[str]: ...

    def value(self, path: str, name: str) -> int | None: ...


def in_use(reader: Reader, device: str) -> bool:
    """True when some app's use of ``device`` started and has not stopped."""
    base = f"{ROOT}\\{device}"
    apps = [f"{base}\\{k}" for k in reader.subkeys(base) if k != "NonPackaged"]
    apps += [f"{base}\\NonPackaged\\{k}" for k in reader.subkeys(f"{base}\\NonPackaged")]
    for app in apps:
        start, stop = reader.value(app, "LastUsedTimeStart"), reader.value(app, "LastUsedTimeStop")
        if stop == 0 and start:
            return True
    return False


class WinregReader:
    """The real registry, current user (``winreg`` exists on Windows only)."""

    def __init__(self) -> None:
        import winreg

        self._winreg = winreg

    def subkeys(self, path: str) -> list[str]:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:
                count = winreg.QueryInfoKey(key)[0]
                return [winreg.EnumKey(key, i) for i in range(count)]
        except OSError:
            return []

    def value(self, path: str, name: str) -> int | None:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:
                value, _type = winreg.QueryValueEx(key, name)
        except OSError:
            return None
        return value if isinstance(value, int) else None


class ConsentStore:
    name = "windows-consent"

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def in_call(self) -> str | None:
        for device, reason in DEVICES:
            if in_use(self.reader, device):
                return reason
        return None


def open_source(env: Mapping[str, str]) -> ConsentStore:
    return ConsentStore(WinregReader())
