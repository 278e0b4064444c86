"""What a session screen uses of its window (``session_controller.SessionWindow`` is the one).

The intro, exercise and "well done" screens are typed against this protocol,
not against the window that builds them, so no screen imports the controller
and the import graph has no circle (``tests/unit/test_import_graph.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    import tkinter as tk

    from necka_tray.core.clock import Clock, TimeScale
    from necka_tray.core.routine import Routine
    from necka_tray.core.session import StretchSession


class SessionHost(Protocol):
    root: tk.Tk
    o: Any  # the window's ``session_controller.Options``
    routine: Routine
    scale: TimeScale
    clock: Clock
    session: StretchSession
    result: Any  # a ``session_controller.SessionResult`` once the session ended, else None
    art: Any  # ``illustrations.CALM`` or ``HIGH_CONTRAST``
    pal: Any  # ``palette.Palette``
    px: float
    fonts: dict[str, Any]
    text_wrap: int
    body: tk.Frame
    rule: tk.Frame
    step_label: tk.Label
    exercise: Any  # the ``ExerciseScreen``
    intro: Any  # the ``IntroScreen``, or None
    guide: Any  # a ``voice.Guide``, or None
    after_id: str | None

    def session_button(self, parent: tk.Misc, text: str, command: Callable[[], None], primary: bool = False,
                       width: int = 0, small: bool = False) -> tk.Button: ...
    def set_progress(self, value: float) -> None: ...
    def start(self) -> None: ...
    def cancel_timer(self) -> None: ...
    def toggle_pause(self) -> None: ...
    def skip(self) -> None: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...
