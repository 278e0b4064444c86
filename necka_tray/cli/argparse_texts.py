"""argparse's own texts ("usage:", "options", its error messages) in the user's language.

argparse looks its texts up in gettext's default domain, where Necka ships no
catalogue; :func:`install` points its lookups at Necka's catalogue instead, and
the texts below put argparse's messages into Necka's template (Python 3.11's
wording: a text argparse changes later simply shows in English).
"""

from __future__ import annotations

import argparse

from necka_tray.i18n import N_, _, ngettext

VERSION_HELP = N_("show program's version number and exit")
TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
)
def _plural_texts() -> None:  # pragma: no cover - only for xgettext, which finds the call
    ngettext("expected %s argument", "expected %s arguments", 2)


def install() -> None:
    """Make argparse translate through Necka's catalogue (its module-level ``_`` and ``ngettext``)."""
    argparse._ = _
    argparse.ngettext = ngettext
    # The version action's help is a default argument, fixed before any translation.
    init = argparse._VersionAction.__init__
    if init.__defaults__ and init.__defaults__[-1] == VERSION_HELP:
        init.__defaults__ = (*init.__defaults__[:-1], _(VERSION_HELP))
