"""What Necka says about safety: the first-use note and its two pages.

Said once and plainly, in our words, from the neck-spasm guide's facts (heat
and cold, see a professional when spasms persist or get worse) and the
widely agreed urgent signs. Necka never names a medicine or a dose: for pain
relievers it only says to follow the label and ask a professional. A test
scans these texts (and every shipped text) for doses and medicine names.
"""

from __future__ import annotations

from dataclasses import dataclass

from necka_tray.texts.i18n import _

#: The pages ``necka-tray info PAGE`` shows.
CARE, RELIEF = "care", "relief"
PAGES = (CARE, RELIEF)


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[str, ...]
    urgent: bool = False  # drawn so it cannot be missed


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    outro: str


def first_use() -> Page:
    """The short note shown once, before the first session."""
    return Page(
        "first_use",
        _("Before you start"),
        _("Necka guides gentle movement. It is not medical advice."),
        (Section("", (
            _("Move slowly, and never into pain."),
            _("Stop if the pain gets sharper."),
            _("If neck pain persists or gets worse, see a healthcare professional."),
        )),),
        _("You will see this note once. The tray menu and the session window can always show "
          "when to see a professional."),
    )


def page(name: str) -> Page:
    if name == CARE:
        return Page(
            CARE,
            _("When to see a professional"),
            _("Necka guides gentle movement. It is not medical advice and cannot tell what causes your pain."),
            (
                Section(_("See a healthcare professional if"), (
                    _("neck spasms or pain persist, or get worse;"),
                    _("the pain keeps coming back despite breaks and stretching."),
                )),
                Section(_("Get medical help straight away if you have"), (
                    _("numbness, tingling or weakness in an arm or a hand;"),
                    _("neck pain after a fall or an accident;"),
                    _("neck stiffness with a fever or a severe headache;"),
                    _("trouble with your balance or with walking."),
                ), urgent=True),
            ),
            _("Stop any exercise that makes the pain sharper."),
        )
    if name == RELIEF:
        return Page(
            RELIEF,
            _("Relief now"),
            _("Some simple things may ease a stiff or aching neck."),
            (
                Section(_("Heat and cold"), (
                    _("A warm compress or a heating pad can help stiff muscles relax."),
                    _("An ice pack, wrapped in a cloth, can ease inflammation."),
                    _("Try both, and keep what helps you most."),
                )),
                Section(_("Gentle movement"), (
                    _("Slow stretches, each held about 15 seconds, loosen the neck: try the Quick neck release."),
                    _("Check your posture and take short breaks through the day."),
                )),
                Section(_("Pain relievers"), (
                    _("Follow the label, and ask a healthcare professional or a pharmacist first, especially "
                      "if you have other health conditions."),
                )),
            ),
            _("If the pain persists or gets worse, see a healthcare professional."),
        )
    raise ValueError(f"unknown page {name!r}; known: {', '.join(PAGES)}")


def all_text() -> list[str]:
    """Every sentence of the note and the pages (for tests)."""
    out = []
    for p in (first_use(), *(page(n) for n in PAGES)):
        out += [p.title, p.intro, p.outro]
        for s in p.sections:
            out += [s.heading, *s.items]
    return [t for t in out if t]
