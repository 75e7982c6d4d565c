"""The escaping every printed text passes through: what is shown, and git's quoting of names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fmlint.escape import git_quote, is_command_line, json_safe, line_start, printable, xml_escape


def test_acting_characters_are_shown_in_every_mode() -> None:
    text = "a\x1b[2J\x07\x7f\x9b\x85\u202e\u2066b\udcff"
    shown = "a\u241b[2J\u2407\u2421<U+009B><U+0085><U+202E><U+2066>b<0xFF>"
    assert printable(text) == printable(text, hidden=False) == printable(text, line_breaks=True) == shown
    assert printable("x\ny\rz") == printable("x\ny\rz", hidden=False) == "x\u240ay\u240dz"
    assert printable("x\ny\rz", line_breaks=True) == "x\ny\rz"  # for a format that encodes them itself


def test_hidden_characters_are_shown_to_people_only() -> None:
    text = "\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u061c\ufeff"
    assert printable(text, hidden=False) == text
    assert printable(text) == "".join(f"<U+{ord(char):04X}>" for char in text)
    assert printable("tab\tcafé 記事 e\u0301") == "tab\tcafé 記事 e\u0301"  # ordinary text is untouched


def test_command_lines_as_a_ci_runner_reads_them() -> None:
    assert is_command_line("::error::x\n") and is_command_line(" \t\u00a0::stop-commands::x")
    assert is_command_line(" text\r::error::x\n")  # a lone CR is a line break to the runner
    assert not is_command_line("-::error::x\n") and not is_command_line(" text\r\n")
    assert line_start("::stop-commands::x.md") == "./::stop-commands::x.md"
    assert line_start("  ::x.md") == "./  ::x.md" and line_start("a::b.md") == "a::b.md"


def test_machine_escapes_read_back_the_same() -> None:
    import json
    import xml.etree.ElementTree as ET

    text = 'a\x9b\u202e\u2028\ufeff\x85"<&>\n\r\tb'
    assert json.loads(json_safe(json.dumps(text, ensure_ascii=False))) == text
    assert "\u202e" not in json_safe(json.dumps(text, ensure_ascii=False))
    element = ET.fromstring(f'<e a="{xml_escape(text, attribute=True)}">{xml_escape(text)}</e>')
    assert element.get("a") == element.text == text
    assert "\n" not in xml_escape(text) and "\u202e" not in xml_escape(text)
    assert xml_escape("\x1b\x00") == "\ufffd\ufffd"  # XML 1.0 cannot hold them at all


NAMES = ["plain.md", "with space.md", "tab\there.md", "new\nline.md", 'quote".md', "back\\slash.md", "café.md"]
NAMES += ["bell\x07esc\x1bdel\x7f.md", "記事.md", os.fsdecode(b"latin\xe9.md")]


@pytest.mark.skipif(sys.platform == "win32" or not shutil.which("git"), reason="needs git and POSIX names")
def test_names_are_quoted_as_git_quotes_them(tmp_path: Path) -> None:
    for name in NAMES:
        (tmp_path / name).write_bytes(b"")
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True, env=env)
    listed = subprocess.run(
        ["git", "-c", "core.quotePath=true", "ls-files"], cwd=tmp_path, capture_output=True, check=True, env=env
    ).stdout
    assert sorted(listed.decode("ascii").splitlines()) == sorted(git_quote(name) for name in NAMES)
