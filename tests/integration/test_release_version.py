"""One version, in ``necka_tray/__init__.py``: every place that names the release agrees with it.

The wheel gets it from setuptools' dynamic version (pyproject.toml); the command line prints it;
the Debian changelog, the AppStream ``<releases>`` and CHANGELOG.md are written by hand at a
release, so this test catches the one that was forgotten (and a date that differs).
"""

from __future__ import annotations

import email.utils
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from necka_tray import APP_ID, __version__

ROOT = Path(__file__).resolve().parents[2]


def debian_release(root: Path) -> tuple[str, str]:
    """The newest entry of packaging/debian/changelog: its version and date (YYYY-MM-DD)."""
    text = (root / "packaging" / "debian" / "changelog").read_text()
    head = re.match(r"necka-tray \(([^)]+)\) \S+; urgency=\w+\n", text)
    assert head, "packaging/debian/changelog must start with a 'necka-tray (VERSION) unstable; ...' line"
    trailer = re.search(r"^ -- .+ <.+>  (.+)$", text, re.M)
    assert trailer, "the changelog entry has no ' -- name <email>  date' line"
    return head.group(1), email.utils.parsedate_to_datetime(trailer.group(1)).date().isoformat()


def appstream_release(root: Path) -> tuple[str, str]:
    release = ET.parse(root / "packaging" / "linux" / f"{APP_ID}.metainfo.xml").find("releases/release")
    return release.get("version"), release.get("date")


def changelog_release(root: Path) -> tuple[str, str]:
    head = re.search(r"^## \[([^\]]+)\] - (\d{4}-\d{2}-\d{2})$", (root / "CHANGELOG.md").read_text(), re.M)
    assert head, "CHANGELOG.md has no '## [VERSION] - YYYY-MM-DD' heading"
    return head.group(1), head.group(2)


def releases(root: Path) -> dict[str, tuple[str, str]]:
    return {"packaging/debian/changelog": debian_release(root), "AppStream <releases>": appstream_release(root),
            "CHANGELOG.md": changelog_release(root)}


def disagreements(root: Path) -> list[str]:
    found = releases(root)
    wrong = [f"{where} names {version}, necka_tray/__init__.py {__version__}"
             for where, (version, _) in found.items() if version != __version__]
    if len({date for _, date in found.values()}) != 1:
        wrong.append(f"the release dates differ: {found}")
    return wrong


def test_every_place_names_the_same_release():
    assert disagreements(ROOT) == []


def test_a_forgotten_entry_is_caught(tmp_path):
    """The check above can fail: a CHANGELOG.md still at an older release is reported."""
    for name in ("packaging/debian/changelog", f"packaging/linux/{APP_ID}.metainfo.xml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## [0.0.9] - 2025-01-01\n")
    assert disagreements(tmp_path) == [f"CHANGELOG.md names 0.0.9, necka_tray/__init__.py {__version__}",
                                       f"the release dates differ: {releases(tmp_path)}"]


def test_the_version_is_declared_once(capsys):
    """pyproject.toml reads it from the package; the command line prints it."""
    import pytest

    from necka_tray.cli import main

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "necka_tray.__version__"}
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"necka-tray {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
