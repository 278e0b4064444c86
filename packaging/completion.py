"""Writes the bash completion of ``necka-tray`` from the real argument parser (packaging/debian/rules).

``python3 packaging/completion.py OUT``: commands, each command's options and the
choices of its arguments (``autostart on|off|status``), a file name after an option
whose value is a file. Debian 12's shtab (1.5.5) offers only the first choice of a
list, hence this small generator; like packaging/manpage.py it reads argparse's
``_actions`` (read only, at build time: argparse has no public way to list them).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def words(parser: argparse.ArgumentParser) -> tuple[list[str], list[str], list[str], list[str]]:
    """What may come next in ``parser``: its options, its other words (commands, choices), its
    options that take a value, and those whose value is a file."""
    options, offered, valued, files = [], [], [], []
    for action in parser._actions:  # noqa: SLF001 - see the module docstring
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            offered += list(action.choices)
        elif action.option_strings:
            options += action.option_strings
            if action.nargs != 0:
                valued += action.option_strings
                if "FILE" in (action.metavar or ""):
                    files += action.option_strings
        elif action.choices:
            offered += [str(c) for c in action.choices]
    return options, offered, valued, files


def _case(name: str, options: list[str], offered: list[str]) -> str:
    return f"        {name}) options={shlex.quote(' '.join(options))} others={shlex.quote(' '.join(offered))} ;;"


def script(parser: argparse.ArgumentParser) -> str:
    options, offered, valued, files = words(parser)
    cases = [_case('""', options, offered)]
    for name, command in parser.commands.items():  # type: ignore[attr-defined]  # set by build_parser
        options, offered, more_valued, more_files = words(command)
        valued += [v for v in more_valued if v not in valued]
        files += [f for f in more_files if f not in files]
        cases.append(_case(name, options, offered))
    plain = [v for v in valued if v not in files]
    return f"""# bash completion for necka-tray; generated from its argument parser by packaging/completion.py
_necka_tray() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} command="" options="" others="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${{COMP_WORDS[i]}} in
            {"|".join(valued)}) ((i++)) ;;
            -*) ;;
            *) command=${{COMP_WORDS[i]}}; break ;;
        esac
    done
    case $prev in
        {"|".join(files)}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        {"|".join(plain)}) COMPREPLY=(); return 0 ;;
    esac
    case $command in
{chr(10).join(cases)}
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$others" -- "$cur"))
    fi
}}
complete -F _necka_tray necka-tray
"""


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: completion.py OUT", file=sys.stderr)
        return 2
    os.environ["LANGUAGE"] = "en"
    sys.path.insert(0, str(ROOT))
    from necka_tray.cli import build_parser

    Path(argv[0]).write_text(script(build_parser()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
