"""Translations: every text a user reads goes through ``_()``.

The catalogues live in ``necka_tray/locale/<lang>/LC_MESSAGES/necka-tray.mo``
(their sources, the ``.po`` files, and the ``necka-tray.pot`` template next to
them; ``scripts/update-translations`` regenerates them). Adding a language is
a new ``.po`` file, never a code change. The language comes from the usual
environment (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``); without a
catalogue for it the English source text is shown.

Standard library only, so the pure core may use it too.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

DOMAIN = "necka-tray"
LOCALE_DIR = Path(__file__).parent / "locale"


@functools.cache
def translations() -> gettext.NullTranslations:
    """The catalogue for this process's language (looked up once)."""
    return gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)


def _(message: str) -> str:
    """``message`` in the user's language."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the user's language."""
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it yet (texts defined before use)."""
    return message


def language() -> str:
    """The language the user reads Necka in (``de``, ``pt_BR``): the catalogue's, "en" without one."""
    found = gettext.find(DOMAIN, LOCALE_DIR)
    return Path(found).parents[1].name if found else "en"
