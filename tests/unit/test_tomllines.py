"""The line of a key in a TOML text: what lies inside a value over several lines is not a statement."""

from __future__ import annotations

import tomllib

from hypothesis import given, strategies as st

from necka_tray.store import tomllines


def test_a_table_line_inside_a_multi_line_string_is_text():
    text = ('[exercises.a]\ntitle = "A"\nsteps = """\n[routines.r]\ntitle = "fake"\n"""\n'
            '[routines.r]\ntitle = "R"\n')
    assert tomllib.loads(text)["routines"]["r"]["title"] == "R"
    assert tomllines.line_of(text, ("routines", "r", "title")) == 8
    assert tomllines.line_of(text, ("routines", "r")) == 7


def test_literal_strings_arrays_and_quotes_inside_strings():
    text = ("a = '''\n[b]\nc = 1\n'''\n"  # a multi-line literal string
            'd = [\n  ["x"],\n  "]",\n]\n'  # an array over lines, with a header-like element and a quoted ]
            'e = """ends with a quote""""\n'
            '[b]\nc = 2\n')
    assert tomllib.loads(text)["b"]["c"] == 2
    assert tomllines.line_of(text, ("b", "c")) == 11
    assert tomllines.line_of(text, ("d",), needle='"]"') == 7
    assert tomllines.line_of(text, ("e",)) == 9


def test_an_escaped_quote_does_not_end_a_multi_line_string():
    text = 'a = """x \\"""\n[t]\nk = 0\n"""\n[t]\nk = 1\n'
    assert tomllib.loads(text)["t"]["k"] == 1
    assert tomllines.line_of(text, ("t", "k")) == 6


_junk = st.text(alphabet="[]{}\"'#=\\ab.\n ", max_size=30)


@given(before=_junk, inside=_junk)
def test_the_key_after_any_multi_line_string_is_found_on_its_line(before, inside):
    body = inside.replace('"""', "").replace("\\", "")
    text = f'x = """{body}"""\n[real]\nkey = 1\n'
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    assert tomllines.line_of(text, ("real", "key")) == text.splitlines().index("key = 1") + 1
