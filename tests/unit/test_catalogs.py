"""Every language's catalogue: compiles, is complete, keeps the placeholders, counts right.

Also the pieces that load them: our ``.po`` compiler against GNU ``msgfmt``, the
choice of language (environment, ``ui.language``), the pseudo-locale, and
``LANGUAGE=de necka-tray --help`` / ``status`` in German end to end.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from necka_tray.texts import i18n
from necka_tray.texts.catalogs import mo_bytes, parse_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "necka_tray" / "locale"
POT = LOCALE / "necka-tray.pot"
#: The languages Necka ships, with the plural form index gettext must pick for 0, 1, 2, 5, 11, 21, 101.
COUNTS = (0, 1, 2, 5, 11, 21, 101)
ONE_OTHER = (1, 0, 1, 1, 1, 1, 1)  # "1 day", "0 days"
ZERO_ONE = (0, 0, 1, 1, 1, 1, 1)  # French and Brazilian Portuguese: "0 jour"
SLAVIC = (2, 0, 1, 2, 2, 0, 0)  # Russian, Ukrainian: 1 and 21 and 101 are singular
POLISH = (2, 0, 1, 2, 2, 2, 2)  # Polish: only 1 itself is singular
NONE = (0,) * 7
LANGUAGES = {"de": ONE_OTHER, "fr": ZERO_ONE, "es": ONE_OTHER, "it": ONE_OTHER, "pt_BR": ZERO_ONE,
             "nl": ONE_OTHER, "pl": POLISH, "sv": ONE_OTHER, "ru": SLAVIC, "uk": SLAVIC, "ja": NONE,
             "zh_CN": NONE}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[a-z]|%[a-z%]")


def po_file(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "necka-tray.po"


def entries(path: Path) -> list[dict]:
    """Every entry of a .po/.pot: msgid, msgid_plural, msgstr forms, flags (enough for our files)."""
    out, entry, key, flags = [], {}, None, set()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r'(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
        if line.startswith("#,"):
            flags |= set(line[2:].replace(",", " ").split())
        elif m:
            if m[1] == "msgid":
                entry, flags = {"flags": flags}, set()
                out.append(entry)
            key = m[1]
            entry[key] = _unquote(m[2])
        elif line.startswith('"') and key:
            entry[key] += _unquote(line)
        else:
            key = None
    return [e for e in out if e["msgid"]]


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), s[1:-1])


def compiled(lang: str) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(mo_bytes(parse_po(po_file(lang).read_text(encoding="utf-8")))))


def test_every_shipped_language_has_a_catalogue():
    assert set(LANGUAGES) | {"en"} == set(i18n.available())


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_catalogue_compiles_with_msgfmt_check(lang, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        message = "msgfmt missing (Debian: gettext); run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    mo = tmp_path / "out.mo"
    done = subprocess.run([msgfmt, "--check", "-o", str(mo), str(po_file(lang))], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # Our in-memory compiler (source checkouts, the build hook) reads the file exactly as msgfmt does.
    with mo.open("rb") as f:
        theirs = gettext.GNUTranslations(f)._catalog
    ours = compiled(lang)._catalog
    # msgfmt drops the header's POT-Creation-Date; every text is the same.
    assert {k: v for k, v in ours.items() if k} == {k: v for k, v in theirs.items() if k}


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_catalogue_is_complete_and_current(lang):
    template = {(e["msgid"], e.get("msgid_plural")) for e in entries(POT)}
    have = {(e["msgid"], e.get("msgid_plural")): e for e in entries(po_file(lang))}
    missing = sorted(m for m, _ in template - set(have))
    assert missing == [], f"run scripts/update-translations: {len(missing)} texts missing"
    fuzzy = sorted(m for (m, p), e in have.items() if "fuzzy" in e["flags"] and (m, p) in template)
    assert fuzzy == [], f"{len(fuzzy)} fuzzy (a changed English text): {fuzzy[:3]}"
    empty = sorted(m for (m, p), e in have.items() if (m, p) in template
                   and not all(v for k, v in e.items() if k.startswith("msgstr")))
    assert empty == [], f"{len(empty)} untranslated: {empty[:5]}"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_placeholders_match_the_english_exactly(lang):
    wrong = []
    for e in entries(po_file(lang)):
        forms = {k: v for k, v in e.items() if k.startswith("msgstr")}
        for key, text in forms.items():
            english = e["msgid"] if key in ("msgstr", "msgstr[0]") and "msgid_plural" not in e else e.get(
                "msgid_plural", e["msgid"])
            if text and sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(english)):
                wrong.append((e["msgid"], key, text))
    assert wrong == []


@pytest.mark.parametrize("lang, expected", sorted(LANGUAGES.items()))
def test_plural_forms_pick_the_right_form(lang, expected):
    catalogue = compiled(lang)
    header = catalogue.info()["plural-forms"]
    rule = gettext.c2py(header.split("plural=", 1)[1].rstrip(";"))
    assert tuple(rule(n) for n in COUNTS) == expected
    forms = [e for e in entries(po_file(lang)) if e["msgid"] == "{count} day"][0]
    nplurals = int(re.search(r"nplurals=(\d)", header)[1])
    assert len([k for k in forms if k.startswith("msgstr[")]) == nplurals == max(expected) + 1
    for n, index in zip(COUNTS, expected):
        assert catalogue.ngettext("{count} day", "{count} days", n) == forms[f"msgstr[{index}]"]


def test_the_language_follows_the_environment_like_gettext(monkeypatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    cases = [({"LANG": "de_DE.UTF-8"}, "de", "LANG"), ({"LANGUAGE": "pt_BR:fr", "LANG": "de_DE"}, "pt_BR", "LANGUAGE"),
             ({"LANGUAGE": "xx:fr"}, "fr", "LANGUAGE"), ({"LC_ALL": "ja_JP.UTF-8", "LANG": "de_DE"}, "ja", "LC_ALL"),
             ({"LANG": "zh_CN.UTF-8"}, "zh_CN", "LANG"), ({"LANG": "C"}, "en", "LANG"), ({}, "en", "")]
    try:
        for env, lang, origin in cases:
            for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
                monkeypatch.delenv(name, raising=False)
            for name, value in env.items():
                monkeypatch.setenv(name, value)
            i18n.set_language(None)
            assert (i18n.language(), i18n.requested()[1]) == (lang, origin), env
        monkeypatch.setenv("LANG", "de_DE.UTF-8")
        i18n.set_language("uk")  # the ui.language setting wins
        assert (i18n.language(), i18n.requested()[1], i18n._("Quit Necka")) == ("uk", "ui.language", "Вийти з Necka")
    finally:
        i18n.set_language(None)


def test_ui_language_is_validated_like_other_settings(tmp_path):
    from necka_tray.store import config

    path = tmp_path / "config.toml"
    path.write_text('[ui]\nlanguage = "klingon"\n', encoding="utf-8")
    loaded = config.load(path)
    assert loaded.settings["ui.language"] == "auto"
    assert len(loaded.problems) == 1 and 'ui.language = "klingon"' in loaded.problems[0]
    assert '"de"' in loaded.problems[0] and '"auto"' in loaded.problems[0]
    path.write_text('[ui]\nlanguage = "ja"\n', encoding="utf-8")
    assert config.load(path).settings["ui.language"] == "ja"


def test_the_pseudo_locale_is_longer_accented_and_keeps_placeholders():
    for text in ("Start stretch session", "{reminder} in {minutes} min", "%(prog)s: error: %(message)s\n"):
        fake = i18n.pseudo(text)
        assert len(fake) >= 1.4 * len(text)
        assert PLACEHOLDER.findall(fake) == PLACEHOLDER.findall(text)
        assert fake != text and any(c in fake for c in "åéîöû")


def run_cli(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    dirs = {f"XDG_{d}_HOME": str(tmp_path / d) for d in ("CONFIG", "DATA", "STATE", "CACHE")}
    dirs["XDG_RUNTIME_DIR"] = str(tmp_path / "run")
    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    return subprocess.run([sys.executable, "-m", "necka_tray", *args], env={**base, **dirs, **env},
                          capture_output=True, text=True, timeout=60)


def test_help_status_and_errors_are_german_end_to_end(tmp_path):
    out = run_cli("--help", tmp_path=tmp_path, LANGUAGE="de").stdout
    assert out.startswith("Aufruf: necka-tray") and "Optionen:" in out and "diese Hilfe anzeigen" in out
    assert "Necka sitzt im Infobereich" in out and "usage" not in out
    status = run_cli("status", tmp_path=tmp_path, LANGUAGE="de")
    assert status.returncode == 3
    assert status.stdout.splitlines()[0] == "Necka läuft nicht."
    assert "Sprache: de (aus LANGUAGE)" in status.stdout
    bad = run_cli("pause", "5", tmp_path=tmp_path, LANGUAGE="de")
    assert bad.returncode == 2 and "hat keine Einheit: Schreiben Sie 5m für Minuten" in bad.stderr


def test_the_setting_overrides_the_environment_for_the_command_line(tmp_path):
    (tmp_path / "CONFIG" / "necka-tray").mkdir(parents=True)
    (tmp_path / "CONFIG" / "necka-tray" / "config.toml").write_text('[ui]\nlanguage = "fr"\n', encoding="utf-8")
    status = run_cli("status", tmp_path=tmp_path, LANG="de_DE.UTF-8")
    assert status.stdout.splitlines()[0] == "Necka n’est pas lancé."
    assert "Langue : fr (d’après ui.language)" in status.stdout


def test_the_setting_reaches_argparses_own_texts_too(tmp_path):
    (tmp_path / "CONFIG" / "necka-tray").mkdir(parents=True)
    (tmp_path / "CONFIG" / "necka-tray" / "config.toml").write_text('[ui]\nlanguage = "fr"\n', encoding="utf-8")
    out = run_cli("--help", tmp_path=tmp_path, LANGUAGE="de").stdout
    assert out.startswith(i18n_text("fr", "usage: ")) and "Aufruf" not in out


def i18n_text(lang: str, msgid: str) -> str:
    import gettext

    from necka_tray.texts import i18n

    with open(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo", "rb") as f:
        return gettext.GNUTranslations(f).gettext(msgid)


def test_status_names_the_variable_the_language_came_from(tmp_path):
    status = run_cli("status", tmp_path=tmp_path, LANG="de_DE.UTF-8")
    assert "Sprache: de (aus LANG)" in status.stdout
    assert run_cli("--help", tmp_path=tmp_path, LANG="de_DE.UTF-8").stdout.startswith("Aufruf: necka-tray")
