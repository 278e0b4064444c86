"""A text cut to fit a width (the tray menu's rows): never between a character and its marks."""

from __future__ import annotations

import unicodedata

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, strategies as st  # noqa: E402

from necka_tray.windows.elide import ELLIPSIS, elide  # noqa: E402

WIDE = "\ufdfd"  # one glyph several ems wide


def width(text: str) -> int:
    """A stand-in font: the wide glyph takes 9, marks and joiners 0, anything else 1."""
    return sum(9 if c == WIDE else 0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else 1 for c in text)


def test_a_text_that_fits_is_kept_and_one_that_does_not_is_cut_with_an_ellipsis():
    assert elide("Neck stretch · 2 min", lambda t: width(t) <= 40) == "Neck stretch · 2 min"
    assert elide(WIDE * 60 + " · 5 s", lambda t: width(t) <= 40) == WIDE * 4 + ELLIPSIS


@given(st.lists(st.sampled_from(["a", " ", WIDE, "\u0301", "\u20dd", "\u200d", "\u0e34"]), max_size=40).map("".join),
       st.integers(min_value=1, max_value=60))
def test_a_cut_text_fits_and_keeps_each_character_with_its_marks(text, most):
    cut = elide(text, lambda t: width(t) <= most)
    if cut == text:
        assert width(text) <= most
        return
    assert cut.endswith(ELLIPSIS) and (width(cut) <= most or cut == ELLIPSIS)
    kept = cut[:-1]
    assert text.startswith(kept)
    rest = text[len(kept):]
    assert not kept or unicodedata.category(rest[0]) not in ("Mn", "Me", "Cf")  # no mark cut from its letter
