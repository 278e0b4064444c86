"""Translations ready: every text a user reads goes through gettext, the template is current,
the English catalogue complete."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from necka_tray.texts import care, i18n
from necka_tray.core.planner import TrayView
from necka_tray.core.reminders import Kind
from necka_tray.core.routine import builtin_routines
from necka_tray.tray.menu_model import RoutineChoice, build_menu

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "necka_tray" / "locale" / "necka-tray.pot"
EN_PO = ROOT / "necka_tray" / "locale" / "en" / "LC_MESSAGES" / "necka-tray.po"


def msgids(path: Path) -> set[str]:
    """The msgids of a .po/.pot file (enough of the format for our own files)."""
    ids, current, reading = set(), None, False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, reading = _unquote(line[6:]), True
        elif line.startswith('"') and reading:
            current += _unquote(line)
        else:
            if reading and current:
                ids.add(current)
            reading = False
    return ids


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), s.strip()[1:-1])


def test_the_template_is_up_to_date():
    missing = [t for t in ("xgettext", "msgcat", "msgen", "msgfmt") if not shutil.which(t)]
    if missing:
        message = f"{', '.join(missing)} missing (Debian: gettext); run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "update-translations"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_english_catalogue_is_complete():
    import io

    from necka_tray.texts.catalogs import mo_bytes, parse_po

    catalogue = gettext.GNUTranslations(io.BytesIO(mo_bytes(parse_po(EN_PO.read_text(encoding="utf-8")))))
    template = msgids(POT)
    assert len(template) > 150
    translated = {k if isinstance(k, str) else k[0] for k, v in catalogue._catalog.items() if k and v}
    assert template - translated == set()
    assert catalogue.info()["language"] == "en"


class Pseudo(gettext.NullTranslations):
    """Wraps every translated text in ⟦…⟧ and notes which msgids were asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def gettext(self, message: str) -> str:
        self.asked.add(message)
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.asked.add(singular)
        return f"⟦{singular if n == 1 else plural}⟧"


@pytest.fixture
def pseudo(monkeypatch):
    p = Pseudo()
    monkeypatch.setattr(i18n, "translations", lambda: p)
    return p


def test_every_menu_label_and_page_text_is_translated_and_in_the_template(pseudo):
    # The paused line shows the tooltip, which the planner translated already.
    view = TrayView(tooltip="⟦paused until 14:30⟧", status_lines=(), ring_step=0, stretch_due=True, paused=True,
                    session_running=False)
    choices = tuple(RoutineChoice(r.id, i18n._(r.title), r.total_seconds, "locked" if r.unlock else None)
                    for r in builtin_routines().values())

    def labels(entries):
        for e in entries:
            if not e.separator:
                yield e.label
                yield from labels(e.children)

    shown = list(labels(build_menu(view, 50, {k: True for k in Kind}, autostart=True, routines=choices)))
    shown += care.all_text()
    untranslated = [s for s in shown if not s.startswith("⟦")]
    assert untranslated == []
    assert pseudo.asked - msgids(POT) == set()


def test_the_planner_and_routine_texts_are_in_the_template(pseudo):
    from necka_tray.core.planner import Planner, ScheduleSnapshot

    now = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
    Planner().view(now, ScheduleSnapshot(next_runs={Kind.STRETCH: now, Kind.POSTURE: None}))
    for r in builtin_routines().values():
        for text in [r.title, r.summary] + [t for s in r.steps for t in (s.exercise.title, s.exercise.instruction,
                                                                          s.exercise.safety)]:
            i18n._(text)
    assert pseudo.asked - msgids(POT) == set()


def test_english_and_a_language_without_a_catalogue_show_the_source_text_with_no_catalogue_loaded():
    code = ("from necka_tray.texts import i18n; print(i18n.language(), type(i18n.translations()).__name__, "
            "i18n._('Start stretch session'))")
    for lang in ("en", "xx", "C"):
        env = {**os.environ, "LANGUAGE": lang, "LC_ALL": "", "LANG": ""}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert out.stdout.split(maxsplit=2) == ["en", "NullTranslations", "Start stretch session\n"], out.stderr


def test_a_stale_or_missing_mo_is_not_used(tmp_path, monkeypatch):
    """A checkout's .mo (scripts/bootstrap) older than its .po is ignored: the .po is compiled in memory."""
    import shutil as sh
    import time

    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "necka-tray.po"
    sh.copyfile(ROOT / "necka_tray" / "locale" / "de" / "LC_MESSAGES" / "necka-tray.po", po)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    try:
        i18n.set_language("de")
        assert i18n._("Quit Necka") == "Necka beenden"  # no .mo at all
        from necka_tray.texts.catalogs import compile_file

        compile_file(po, po.with_suffix(".mo"))
        po.write_text(po.read_text(encoding="utf-8").replace('"Necka beenden"', '"Necka schließen"'), encoding="utf-8")
        future = time.time() + 10
        os.utime(po, (future, future))
        i18n.set_language("de")
        assert i18n._("Quit Necka") == "Necka schließen"  # the newer .po wins over the stale .mo
    finally:
        i18n.set_language(None)
