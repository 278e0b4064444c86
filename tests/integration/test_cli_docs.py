"""The man page and the bash completion that the .deb ships, generated from the real parser
(packaging/manpage.py, packaging/completion.py): checked against that parser here, so a new
command or option that one of them missed fails the suite, not a user's tab key.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from necka_tray import __version__
from necka_tray.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]


def generate(script: str, out: Path) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / script), str(out)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "LANGUAGE": "de"})
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return out.read_text()


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings}  # noqa: SLF001 - the generators read it too


def choices(parser: argparse.ArgumentParser) -> set[str]:
    return {str(c) for a in parser._actions if not a.option_strings and a.choices  # noqa: SLF001
            and not isinstance(a, argparse._SubParsersAction) for c in a.choices}  # noqa: SLF001


def test_the_man_page_documents_every_command_and_option(tmp_path):
    page = generate("manpage.py", tmp_path / "necka-tray.1")
    assert page.startswith(".TH NECKA\\-TRAY 1 ") and f"necka-tray {__version__}" in page.splitlines()[0]
    assert "\nnecka\\-tray \\- " in page  # the whatis line (lintian, apropos)
    assert "Necka lives in the system tray" in page  # English, whatever the build's language
    parser = build_parser()
    for name in COMMANDS:
        assert f"\n.SS {name}\n" in page, name
        for option in options(parser.commands[name]) | options(parser):
            assert option.replace("-", "\\-") in page, (name, option)
    groff = shutil.which("groff")
    if groff:  # what lintian runs on a man page: no warning at all
        done = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", str(tmp_path / "necka-tray.1")],
                              capture_output=True, text=True, timeout=60, env={**os.environ, "LC_ALL": "C.UTF-8"})
        assert done.returncode == 0 and done.stderr == "", done.stderr


def complete(script: Path, *words: str) -> set[str]:
    """What bash offers after ``words`` (the last one is being typed)."""
    done = subprocess.run(
        ["bash", "--norc", "-c", 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
         '_necka_tray; printf "%s\\n" "${COMPREPLY[@]}"', str(script), *words],
        capture_output=True, text=True, timeout=30, cwd=script.parent)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return set(done.stdout.split())


@pytest.fixture(scope="module")
def completion(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("completion") / "necka-tray"
    generate("completion.py", out)
    return out


def test_completion_offers_the_commands_and_the_top_options(completion):
    parser = build_parser()
    assert complete(completion, "necka-tray", "") == set(COMMANDS)
    assert complete(completion, "necka-tray", "-") == options(parser)
    assert complete(completion, "necka-tray", "au") == {"autostart"}
    assert complete(completion, "necka-tray", "--time-scale", "") == set()  # a number, not a command


@pytest.mark.parametrize("name", list(COMMANDS))
def test_completion_knows_each_commands_options_and_choices(completion, name):
    command = build_parser().commands[name]
    assert complete(completion, "necka-tray", name, "-") == options(command)
    assert complete(completion, "necka-tray", "--debug", name, "") == choices(command)
    assert complete(completion, "necka-tray", "--time-scale", "60", name, "--") == {
        o for o in options(command) if o.startswith("--")}


def test_completion_completes_a_file_after_chart(completion):
    (completion.parent / "week.png").write_bytes(b"")
    assert complete(completion, "necka-tray", "stats", "--chart", "we") == {"week.png"}
