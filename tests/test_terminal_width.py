"""On a terminal, the text format fits quoted lines to its width, carets under what they mark.

The installed command runs on a real pseudo-terminal of a chosen size; what it prints
is measured with an independent count of terminal columns.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import MINIMAL

if sys.platform == "win32":  # pragma: no cover - pseudo-terminals are POSIX
    pytest.skip("needs a pseudo-terminal", allow_module_level=True)

import fcntl
import pty
import struct
import termios

FMLINT = str(Path(sys.executable).with_name("fmlint"))


def columns_of(text: str) -> int:
    """Terminal columns: wide East Asian characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text
    )


def on_terminal(folder: Path, *args: str, size: int, environ: dict[str, str] | None = None) -> str:
    """What ``fmlint check ARGS`` prints on a pseudo-terminal ``size`` columns wide."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, size, 0, 0))
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    env.update({"NO_COLOR": "1", **(environ or {})})
    process = subprocess.Popen(
        [FMLINT, "check", "--isolated", *args], cwd=folder, stdin=subprocess.DEVNULL, stdout=secondary, env=env
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=60) in (0, 1)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def excerpt(output: str) -> tuple[str, str]:
    """The quoted line and the caret line of the first finding, without their gutters."""
    lines = output.splitlines()
    source, carets = lines[2], lines[3]
    return source.split(" | ", 1)[1], carets.split(" | ", 1)[1] if " | " in carets else carets[4:]


def marked(shown: str, carets: str) -> str:
    """The characters of ``shown`` under the carets, found by terminal column."""
    start = len(carets) - len(carets.lstrip(" "))
    width = len(carets.strip())
    column, under = 0, []
    for char in shown:
        if start <= column < start + width:
            under.append(char)
        column += columns_of(char)
    return "".join(under)


def article(folder: Path, line: str) -> None:
    (folder / "a.md").write_text(MINIMAL.replace("title:", f"{line}\ntitle:"), encoding="utf-8")


@pytest.mark.parametrize("size", [80, 41])
def test_a_long_line_is_cut_around_the_finding(tmp_path: Path, size: int) -> None:
    article(tmp_path, f"topics: [{'a, ' * 100}5{', b' * 100}]")
    output = on_terminal(tmp_path, "--select", "FM202", "a.md", size=size)
    shown, carets = excerpt(output)
    assert shown.startswith("…") and shown.endswith("…")
    assert columns_of("2 | " + shown) <= size
    assert marked(shown, carets) == "5"
    assert ", a, a, 5, b, b" in shown  # context on both sides


def test_wide_and_combining_characters_are_counted_as_shown(tmp_path: Path) -> None:
    accented = "e\u0301, "  # e and a combining acute accent: one column
    article(tmp_path, f"topics: [{'記事, ' * 60}5, {accented * 60}b]")
    output = on_terminal(tmp_path, "--select", "FM202", "a.md", size=60)
    shown, carets = excerpt(output)
    assert columns_of("2 | " + shown) <= 60
    assert marked(shown, carets) == "5"
    assert "記事, 5, e\u0301" in shown


def test_a_finding_at_the_end_of_the_line_keeps_the_end_in_view(tmp_path: Path) -> None:
    article(tmp_path, f"topics: [{'a, ' * 100}5]")
    shown, carets = excerpt(on_terminal(tmp_path, "--select", "FM202", "a.md", size=50))
    assert shown.startswith("…") and shown.endswith("a, 5]")
    assert columns_of("2 | " + shown) <= 50
    assert marked(shown, carets) == "5"


def test_columns_overrides_the_terminal_and_a_short_line_is_whole(tmp_path: Path) -> None:
    article(tmp_path, f"topics: [{'a, ' * 30}5]")  # 101 characters
    shown, _ = excerpt(on_terminal(tmp_path, "--select", "FM202", "a.md", size=200))
    assert shown == f"topics: [{'a, ' * 30}5]"
    shown, carets = excerpt(on_terminal(tmp_path, "--select", "FM202", "a.md", size=200, environ={"COLUMNS": "60"}))
    assert columns_of("2 | " + shown) <= 60 and marked(shown, carets) == "5"


def test_not_on_a_terminal_lines_are_cut_only_past_200_characters(tmp_path: Path) -> None:
    line = f"topics: [{'a, ' * 30}5]"
    article(tmp_path, line)
    done = subprocess.run(
        [FMLINT, "check", "--isolated", "--select", "FM202", "a.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "40", "NO_COLOR": "1"},
        check=False,
    )
    assert done.stdout.splitlines()[2] == "2 | " + line
