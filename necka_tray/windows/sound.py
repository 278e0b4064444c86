"""A soft tone at each step of a session (``session.sound``, off by default).

Tk's ``bell()`` is the terminal bell: loud and often disabled. Instead a short
tone (two soft partials with a gentle rise and a long fade, a third of a
second) is written once as a WAV file and handed to the system's player
without waiting for it: ``paplay`` or ``pw-play`` (PulseAudio, PipeWire),
``aplay`` (ALSA), ``afplay`` (macOS), ``winsound`` (Windows). With no player
there is no sound and no error: the step change is still shown.
"""

from __future__ import annotations

import array
import io
import math
import shutil
import subprocess
import sys
import wave
from pathlib import Path

from necka_tray.store.fsutil import atomic_write

RATE = 22050
SECONDS = 0.35
VOLUME = 0.22  # of full scale: a chime, not an alarm
_PLAYERS = (["paplay"], ["pw-play"], ["aplay", "-q"], ["afplay"])


def chime_wav() -> bytes:
    """The tone as a 16-bit mono WAV: 660 Hz with a fifth above, a 20 ms rise and an exponential fade."""
    n = int(RATE * SECONDS)
    samples = array.array("h")
    for i in range(n):
        t = i / RATE
        envelope = min(1.0, t / 0.02) * math.exp(-t * 9.0)
        wave_value = 0.7 * math.sin(2 * math.pi * 660 * t) + 0.3 * math.sin(2 * math.pi * 990 * t)
        samples.append(round(32767 * VOLUME * envelope * wave_value))
    if sys.byteorder == "big":
        samples.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    return out.getvalue()


class Chime:
    """Plays the tone; ``play()`` returns at once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._player = next((p for p in _PLAYERS if shutil.which(p[0])), None)
        self._children: list[subprocess.Popen] = []

    def play(self) -> bool:
        """Start the tone; False when this system has no way to play it."""
        try:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(self.path, chime_wav(), mode=0o644)
            if sys.platform == "win32":
                import winsound

                winsound.PlaySound(str(self.path), winsound.SND_FILENAME | winsound.SND_ASYNC)
                return True
            if self._player is None:
                return False
            self._children = [c for c in self._children if c.poll() is None]  # reap finished players
            self._children.append(subprocess.Popen([*self._player, str(self.path)], stdin=subprocess.DEVNULL,
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            return True
        except OSError:
            return False
