"""Translations: every text a user reads goes through ``_()`` or ``ngettext()``.

The catalogues' sources live in ``necka_tray/locale/<lang>/LC_MESSAGES/necka-tray.po``
(the ``necka-tray.pot`` template next to them; ``scripts/update-translations``
extracts and merges). A built wheel or frozen app carries ``.mo`` files compiled
at package time; in a source checkout ``scripts/bootstrap`` compiles them (they
are not committed), and a missing or stale one is compiled in memory from its
``.po`` instead. Only the one catalogue needed is loaded; English, the source
text, needs none. Adding a language is a new ``.po`` file, never a code change.

The language is the setting ``ui.language`` when the entry point passed one to
:func:`set_language`, else the environment as gettext reads it (``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``); without a catalogue for it the English
source text is shown. ``en_XA`` is a pseudo-locale (every text about 40 %
longer, with accents) for checking that windows fit any language.

Standard library only, so the pure core may use it too.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
import re
from pathlib import Path

DOMAIN = "necka-tray"
LOCALE_DIR = Path(__file__).parent.parent / "locale"
SOURCE_LANGUAGE = "en"
PSEUDO = "en_XA"
_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
_chosen: str | None = None


def available() -> tuple[str, ...]:
    """The languages with a catalogue (a folder under ``locale/``), sorted."""
    try:
        return tuple(sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir()))
    except OSError:
        return ()


def set_language(code: str | None) -> None:
    """Use ``code`` (the ``ui.language`` setting); ``None`` or ``"auto"`` follows the environment."""
    global _chosen
    _chosen = None if code in (None, "", "auto") else code
    translations.cache_clear()
    language.cache_clear()


def requested() -> tuple[list[str], str]:
    """The languages asked for, in order, and where the request came from (a setting or a variable)."""
    if _chosen:
        return [_chosen], "ui.language"
    for name in _ENV:
        if value := os.environ.get(name):
            return value.split(":"), name
    return [], ""


@functools.cache
def language() -> str:
    """The language in use: the first one asked for that has a catalogue (else English)."""
    have = set(available())
    for code in requested()[0]:
        if code in ("C", "POSIX"):
            break
        if code == PSEUDO:
            return PSEUDO
        for candidate in _candidates(code):
            if candidate in have:
                return candidate
    return SOURCE_LANGUAGE


def _candidates(code: str) -> list[str]:
    """``de_DE.UTF-8@euro`` -> itself, ``de_DE@euro``, ``de_DE.UTF-8``, ``de_DE``, ``de``: most specific first."""
    rest, _at, modifier = code.partition("@")
    rest, _dot, encoding = rest.partition(".")
    lang, _sep, territory = rest.partition("_")
    forms = [code]
    base = f"{lang}_{territory}" if territory else lang
    if modifier:
        forms.append(f"{base}@{modifier}")
    if encoding:
        forms.append(f"{base}.{encoding}")
    forms += [base, lang]
    return list(dict.fromkeys(f for f in forms if f))


@functools.cache
def translations() -> gettext.NullTranslations:
    """The catalogue of :func:`language` (loaded once, only that one; English is the source text itself)."""
    lang = language()
    if lang == PSEUDO:
        return PseudoTranslations()
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    try:
        # A built package has only the .mo; a checkout may have one from scripts/bootstrap, if not stale.
        if not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime:
            with open(mo, "rb") as f:
                return gettext.GNUTranslations(f)
    except OSError:
        pass
    try:
        text = po.read_text(encoding="utf-8")
    except OSError:
        return gettext.NullTranslations()
    from necka_tray.texts.catalogs import mo_bytes, parse_po

    return gettext.GNUTranslations(io.BytesIO(mo_bytes(parse_po(text))))


def _(message: str) -> str:
    """``message`` in the user's language."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count ``n``, in the user's language (its own plural rules)."""
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it yet (texts defined before use)."""
    return message


#: Languages whose nouns keep their capital inside a sentence ("Necka: Dehnpause in 20 Min.").
_CAPITAL_NOUNS = {"de"}


def lower_first(text: str) -> str:
    """``text`` to go inside a sentence: its first letter lower-case, where the language does that."""
    return text if language().split("_")[0] in _CAPITAL_NOUNS else text[:1].lower() + text[1:]


#: Languages that write decimals with a comma (the rest, English, Japanese and Chinese, a point).
_DECIMAL_COMMA = {"de", "fr", "es", "it", "pt", "nl", "pl", "sv", "ru", "uk"}


def decimal(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, written the way the user's language writes them."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language().split("_")[0] in _DECIMAL_COMMA else text


_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def weekday(index: int) -> str:
    """The short name of a weekday (0: Monday), in the user's language."""
    return _(_WEEKDAYS[index])


_MONTHS = (N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"), N_("Aug"), N_("Sep"),
           N_("Oct"), N_("Nov"), N_("Dec"))


def month(number: int) -> str:
    """The short name of a month (1: January), in the user's language."""
    return _(_MONTHS[number - 1])


def short_date(day) -> str:
    """A day as the user's language writes a short date with its weekday ("Mon 7 Dec")."""
    # Translators: a short date; {weekday} and {month} are the short names above, {day} the day of the month.
    return _("{weekday} {day} {month}").format(weekday=weekday(day.weekday()), day=day.day,
                                               month=month(day.month))


_PLACEHOLDER = re.compile(r"(\{[^{}]*\}|%\([a-z_]+\)[a-z]|%[a-z%])")
_ACCENTED = str.maketrans("AaCcEeIiNnOoUuYy", "ÅåÇçÉéÎîÑñÖöÛûÝý")


def pseudo(message: str) -> str:
    """``message`` accented and about 40 % longer, its placeholders untouched (the pseudo-locale)."""
    if not message:
        return message
    parts = _PLACEHOLDER.split(message)
    out = "".join(p if i % 2 else p.translate(_ACCENTED) for i, p in enumerate(parts))
    pad = ("·" + "ẋ" * 9) * (len(message) // 10 + 1)
    return f"⟦{out} {pad[: max(2, len(message) * 2 // 5)]}⟧"


class PseudoTranslations(gettext.NullTranslations):
    """The pseudo-locale: every text through :func:`pseudo` (a catalogue made on the fly)."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)
