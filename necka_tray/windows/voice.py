"""Voice guidance: each step of a stretch session spoken, so the user can close their eyes.

What is said is a pure script (``step_script``, ``Guide``): the step's name
and instruction when it starts, a hold counted down ("hold… 3", "2", "1"),
then "switch sides", "next" or "well done" as the next thing begins. The
``Speaker`` hands each text to the platform's engine in a process of its
own and never waits for it, so speaking never delays the window's clock:
speech-dispatcher's ``spd-say`` or ``espeak-ng`` on Linux, ``say`` on macOS,
SAPI through PowerShell on Windows, in the language of the user's
translation where the engine has it. No engine: ``Speaker.problem`` says so
once, and the session runs silent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from necka_tray.core.routine import Routine
from necka_tray.desktop.speech import ENGINES, find_engine  # noqa: F401 (ENGINES: one table, shared with the tray)
from necka_tray.texts.i18n import N_, _

#: Seconds left in a hold when the countdown starts.
COUNT_FROM = 3
SWITCH, NEXT, FINISHED = N_("Switch sides."), N_("Next."), N_("Well done.")

#: SAPI through PowerShell: the text and language come in the environment (no quoting to get wrong).
_SAPI = ("Add-Type -AssemblyName System.Speech; "
         "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; "
         "try { $s.SelectVoiceByHints('NotSet', 'NotSet', 0, [Globalization.CultureInfo]$env:NECKA_SAY_LANG) } "
         "catch {}; $s.Speak($env:NECKA_SAY)")


@dataclass(frozen=True)
class StepScript:
    start: str  # said as the step begins (after the last step's ending)
    countdown: tuple[tuple[int, str], ...]  # (seconds left shown, text)
    end: str  # said as the step is left


def step_script(routine: Routine, index: int) -> StepScript:
    """What is said for step ``index`` of ``routine`` (pure: only the routine's texts)."""
    from necka_tray.windows.session_exercise import doing, step_title

    step = routine.steps[index]
    ex = step.exercise
    start = f"{step_title(step)}. {_(ex.instruction)} {doing(ex)}."
    countdown: tuple[tuple[int, str], ...] = ()
    if ex.is_hold and step.seconds > COUNT_FROM:
        countdown = tuple((n, _("Hold… {count}").format(count=n) if n == COUNT_FROM else str(n))
                          for n in range(COUNT_FROM, 0, -1))
    if index + 1 == len(routine.steps):
        end = _(FINISHED)
    elif step.side and routine.steps[index + 1].side not in (None, step.side):
        end = _(SWITCH)
    else:
        end = _(NEXT)
    return StepScript(start, countdown, end)


#: What ends the spoken first-use note: someone following with eyes closed must know the key.
SAFETY_GO_ON = N_("When you are ready, press Enter to start.")


def safety_script(note) -> str:
    """The first-use note (``care.first_use()``) as one text to say, ending with the key that goes on."""
    parts = [note.title, note.intro, *(item for section in note.sections for item in section.items), _(SAFETY_GO_ON)]
    return " ".join(part.strip() for part in parts if part.strip())


class Guide:
    """Turns what the window shows into what is to be said, each text once."""

    def __init__(self, routine: Routine) -> None:
        self.routine = routine
        self._step: int | None = None
        self._said: set[int] = set()

    def view(self, step_index: int, running: bool, seconds_shown: int) -> list[str]:
        """The texts to say now that the window shows ``step_index`` with ``seconds_shown`` left."""
        out = []
        if step_index != self._step:
            if self._step is not None:
                out.append(step_script(self.routine, self._step).end)
            self._step, self._said = step_index, set()
            out.append(step_script(self.routine, step_index).start)
        if running:
            # The number now shown, once; a number the window skipped (it woke late) is not said late.
            for at, text in step_script(self.routine, step_index).countdown:
                if at >= seconds_shown and at not in self._said:
                    self._said.add(at)
                    if at == seconds_shown:
                        out.append(text)
        return [" ".join(out)] if out else []

    def finished(self) -> list[str]:
        """The last step's ending, once the routine is done."""
        if self._step is None:
            return []
        text, self._step = step_script(self.routine, self._step).end, None
        return [text]


def engine_command(engine: str, text: str, language: str) -> tuple[list[str], dict[str, str] | None]:
    """The command line (and extra environment) that makes ``engine`` say ``text``."""
    if engine == "spd-say":
        return ["spd-say", "-l", language, text], None
    if engine == "espeak-ng":
        return ["espeak-ng", "-v", language, text], None
    if engine == "say":
        return ["say", text], None
    return ["powershell", "-NoProfile", "-NonInteractive", "-Command", _SAPI], {
        "NECKA_SAY": text, "NECKA_SAY_LANG": language}


#: Engines that queue or cancel by themselves: speech-dispatcher's "text" priority (spd-say's) lets a new
#: text stop the one being said. The others each speak in their own process, all at once.
SELF_CANCELLING = frozenset({"spd-say"})


class Speaker:
    """Says texts through the first engine found on this platform, never waiting for it.

    A new text stops the one still being said, whatever the engine: with espeak-ng a long first-use
    note went on under the first step, two voices at once, for someone following with eyes closed.
    """

    def __init__(self, language: str = "en", which: Callable[[str], str | None] = shutil.which,
                 platform: str = sys.platform) -> None:
        self.language = language
        self.engine = find_engine(platform, which)
        self.problem = "" if self.engine else _("Voice guidance: no speech engine found "
                                                 "(install speech-dispatcher or espeak-ng).")
        self._speaking: subprocess.Popen | None = None

    def say(self, text: str) -> None:
        if self.engine is None or not text:
            return
        self.hush()
        args, extra = engine_command(self.engine, text, self.language)
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, env={**os.environ, **extra} if extra else None,
                                    start_new_session=True)
            self._speaking = None if self.engine in SELF_CANCELLING else proc
        except OSError as exc:  # the engine went away: say it once, then stay quiet
            self.problem = _("Voice guidance: {engine} did not start ({problem}).").format(
                engine=self.engine, problem=exc.strerror or exc)
            self.engine = None

    def hush(self) -> None:
        """Stop the text still being said (never waits: the engine's process is reaped by the next say)."""
        proc, self._speaking = self._speaking, None
        if proc is not None and proc.poll() is None:
            try:
                proc.terminate()
            except OSError:
                pass
