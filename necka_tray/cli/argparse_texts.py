"""argparse's own texts ("usage:", "options", its error messages) in the user's language.

argparse looks its texts up with ``gettext.gettext``, in gettext's global text
domain. :func:`install` makes Necka's catalogue that domain, through gettext's
public ``bindtextdomain``/``textdomain``, and names the language Necka chose in
``LANGUAGE`` (which that lookup reads), so the ``ui.language`` setting reaches
argparse too. The texts below put argparse's messages into Necka's template
(Python 3.11's wording: a text argparse changes later simply shows in
English). That lookup reads compiled ``.mo`` files only: a checkout whose
catalogues were never compiled (``scripts/bootstrap`` does it) shows argparse's
few texts in English and everything of Necka's own translated.
"""

from __future__ import annotations

from necka_tray.texts.i18n import N_, ngettext

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
    """Make argparse translate through Necka's catalogue, in the language Necka uses."""
    import gettext
    import os

    from necka_tray.texts import i18n

    gettext.bindtextdomain(i18n.DOMAIN, str(i18n.LOCALE_DIR))
    gettext.textdomain(i18n.DOMAIN)
    if i18n.requested()[1] == "ui.language":  # the setting wins over the environment, as for Necka's texts
        os.environ["LANGUAGE"] = i18n.language()
