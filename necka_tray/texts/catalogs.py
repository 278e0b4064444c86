"""Reads gettext ``.po`` files and writes ``.mo`` bytes, with the standard library only.

One compiler for three places: the wheel's build hook (``setup.py``), the
PyInstaller spec, and a source checkout, where :mod:`necka_tray.texts.i18n` compiles
the one catalogue it needs in memory. So no binary ``.mo`` is committed and no
GNU ``msgfmt`` is needed to run Necka. Fuzzy and empty entries are left out,
as ``msgfmt`` does: the English text shows instead.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

def parse_po(text: str) -> dict[str, str]:
    """The translated entries of a .po text, keyed as in a .mo file (plurals joined by NUL)."""
    entries: dict[str, str] = {}
    entry: dict[str, str] = {}
    fuzzy = next_fuzzy = False
    key = ""

    def flush() -> None:
        if "msgid" not in entry or fuzzy:
            return
        if "msgid_plural" in entry:
            forms = [entry[k] for k in sorted((k for k in entry if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))]
            if forms and all(forms):
                entries[entry["msgid"] + "\0" + entry["msgid_plural"]] = "\0".join(forms)
        elif entry.get("msgstr"):
            entries[entry["msgid"]] = entry["msgstr"]

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                next_fuzzy = True
            continue
        if line.startswith('"'):
            entry[key] += _unquote(line)
            continue
        word, _, rest = line.partition(" ")
        if word == "msgid":  # a new entry starts
            flush()
            entry, fuzzy, next_fuzzy = {}, next_fuzzy, False
        key = word
        entry[key] = _unquote(rest)
    flush()
    return entries


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(token: str) -> str:
    """A .po string token's text (C escapes, as msgfmt reads them)."""
    text = token.strip()[1:-1]
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), text) if "\\" in text else text


def mo_bytes(entries: dict[str, str]) -> bytes:
    """A little-endian .mo file of ``entries`` (no hash table: GNU and Python read it)."""
    keys = sorted(entries)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(entries[k].encode() + b"\0" for k in keys)
    n = len(keys)
    start = 7 * 4 + 16 * n
    offsets, pos_i, pos_s = [], 0, 0
    for k in keys:
        i, s = len(k.encode()), len(entries[k].encode())
        offsets.append((i, start + pos_i, s, start + len(ids) + pos_s))
        pos_i, pos_s = pos_i + i + 1, pos_s + s + 1
    out = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    out += b"".join(struct.pack("<2I", o[0], o[1]) for o in offsets)
    out += b"".join(struct.pack("<2I", o[2], o[3]) for o in offsets)
    return out + ids + strs


def compile_file(po: Path, mo: Path) -> None:
    """Write the .mo of ``po`` (the build hook and the PyInstaller spec)."""
    mo.parent.mkdir(parents=True, exist_ok=True)
    mo.write_bytes(mo_bytes(parse_po(po.read_text(encoding="utf-8"))))


def compile_tree(locale_dir: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under ``locale_dir`` next to itself."""
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        compile_file(po, po.with_suffix(".mo"))
        written.append(po.with_suffix(".mo"))
    return written
