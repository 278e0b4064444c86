"""The three reminder kinds, their ranking and what each one says.

The texts are ours, written from the facts of the neck-spasm guide that Necka
is based on: long sitting and poor posture are leading causes, shoulder rolls
and gentle neck tilts help, stretches are held about 15 seconds and repeated
through the day.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from necka_tray.texts.i18n import _


class Kind(enum.Enum):
    """A reminder kind. ``rank`` orders them: when two fall due together only the larger fires."""

    POSTURE = "posture"
    SHOULDER_ROLLS = "shoulder_rolls"
    STRETCH = "stretch"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def job_id(self) -> str:
        """The fixed APScheduler job id (stable across releases: stored in users' job stores)."""
        return self.value

    @property
    def label(self) -> str:
        return _LABEL[self]


_RANK = {Kind.POSTURE: 1, Kind.SHOULDER_ROLLS: 2, Kind.STRETCH: 3}
_LABEL = {Kind.POSTURE: _("Posture check"), Kind.SHOULDER_ROLLS: _("Shoulder rolls"), Kind.STRETCH: _("Stretch break")}

#: Default interval in minutes per kind.
DEFAULT_INTERVALS = {Kind.POSTURE: 20, Kind.SHOULDER_ROLLS: 40, Kind.STRETCH: 60}


@dataclass(frozen=True)
class Message:
    title: str
    body: str


MESSAGES = {
    Kind.POSTURE: Message(
        _("Posture check"),
        _("Sit back in your chair with both feet flat on the floor. "
          "Screen at eye level, shoulders down and relaxed, head balanced over your shoulders."),
    ),
    Kind.SHOULDER_ROLLS: Message(
        _("Shoulder rolls"),
        _("Roll your shoulders slowly backward 5 times, then forward 5 times. "
          "Keep the movement smooth and easy."),
    ),
    Kind.STRETCH: Message(
        _("Time for a stretch break"),
        _("You have been sitting a while. Click the Necka tray icon for a short guided "
          "neck stretch: gentle tilts, each held about 15 seconds."),
    ),
}
