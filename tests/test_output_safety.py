"""What fmlint prints cannot be steered by what it reads, through the installed command.

File names, file contents and configuration keys planted with GitHub workflow commands
(``\\n::error …``, ``::stop-commands::``), terminal escapes (ESC[2J, C1 CSI) and
bidirectional controls: in every output format, with ``--fix`` and ``--diff``, and in
usage errors, none reaches stdout or stderr raw, and no printed line is a workflow
command fmlint did not mean to print. Each case also checks that the planted text did
reach the report (escaped, or exactly in the machine formats), so it cannot pass by
printing nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import MINIMAL

if sys.platform == "win32":  # pragma: no cover - the names below are not Windows file names
    pytest.skip("file names with control characters need a POSIX file system", allow_module_level=True)

FMLINT = str(Path(sys.executable).with_name("fmlint"))

FORGED = "\n::error file=README.md,line=1::forged"
STOP = "::stop-commands::x"
CLEAR = "\x1b[2J"
CSI = "\x9b2J"  # the C1 form of ESC [
BIDI = "\u202e\u2066"
HIDDEN = "\u200b\u2028\ufeff\u061c"

# Never printed raw, in any format: acting characters.
ACTING = ["\x1b", "\x9b", "\x85", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068"]
ACTING += ["\u2069", "\r", "\x07"]
# Never printed raw by the formats people read, nor on stderr.
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2028", "\u2029", "\u061c", "\ufeff"]

FORMATS = ["text", "concise", "json", "json-lines", "github", "sarif", "junit", "gitlab"]
HUMAN = {"text", "concise"}

# A file whose name carries every payload, with a field whose name a finding quotes
# (unknown field), holding the payloads as YAML escapes; and the same payloads raw in a
# line that a finding quotes (a control character is a YAML error there).
NAME = f"news{FORGED} {STOP} {CLEAR}{CSI}{BIDI}{HIDDEN}.md"
KEY = '"x \\e[2J\\x9b2J\\u202e\\u200b\\L\\ufeff\\N\\n::error::forged": 1'
SHOWN = f"{BIDI}\u200b\u061c"  # YAML reads U+2028 as a line break and U+FEFF as a stray mark
CONTENT = MINIMAL.replace("---\n", f"---\n{KEY}  # {SHOWN}\n", 1)
RAW = MINIMAL.replace("An article", f"Raw {SHOWN} {CLEAR} {CSI}").replace("an-article", "raw")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [FMLINT, *args], cwd=cwd, capture_output=True, text=True, errors="surrogateescape", env=env, check=False
    )


def assert_inert(text: str, *, human: bool, commands_allowed: bool = False) -> None:
    """``text`` holds no acting character (nor, for people, a hidden one), and no line of
    it is a workflow command, unless it is one of the github format's own."""
    for char in ACTING + (INVISIBLE if human else []):
        assert char not in text, f"{char!r} printed raw"
    for line in text.split("\n"):
        if line.lstrip().startswith("::"):
            assert commands_allowed, f"forged workflow command: {line!r}"
            assert line.startswith(("::error file=", "::warning file=", "::error title=", "::warning title="))


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    (tmp_path / NAME).write_text(CONTENT, encoding="utf-8")
    (tmp_path / "raw.md").write_text(RAW, encoding="utf-8")
    (tmp_path / f"{STOP}.md").write_text("no front-matter\n", encoding="utf-8")  # a name that starts a line
    return tmp_path


def test_the_planted_file_is_what_the_cases_expect(planted: Path) -> None:
    """The payloads are really in the findings: a message quoting the title, the raw line."""
    found = json.loads(run("check", "--isolated", "--output-format", "json", ".", cwd=planted).stdout)
    by_path = {item["path"]: item for item in found}
    assert set(by_path) == {NAME, "raw.md", f"{STOP}.md"}
    assert by_path[NAME]["code"] == "FM205"
    assert all(char in by_path[NAME]["message"] for char in "\x1b\x9b\u202e\u200b\u2028\ufeff\x85\n")
    assert by_path["raw.md"]["code"] == "FM005"  # ESC in a plain value


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_planted_text_reaches_the_output_raw(planted: Path, output_format: str) -> None:
    done = run("check", "--isolated", "--output-format", output_format, ".", cwd=planted)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    human = output_format in HUMAN
    assert_inert(done.stdout, human=human, commands_allowed=output_format == "github")
    if human:
        assert "\u241b[2J" in done.stdout and "<U+202E>" in done.stdout and "<U+200B>" in done.stdout
        assert f"./{STOP}.md:1:1: FM001" in done.stdout  # the same file, not a command
    elif output_format == "github":
        assert done.stdout.count("\n") == 3  # one command per finding, whatever the names hold
        assert " file=news%0A%3A%3Aerror file=README.md%2Cline=1" in done.stdout and "<U+202E>" in done.stdout
    elif output_format == "junit":
        names = {case.get("name") for case in ET.fromstring(done.stdout).iter("testcase")}
        assert NAME.replace("\x1b", "\ufffd") in names  # XML cannot hold ESC, even as a reference
    else:  # the JSON formats keep every character, in escapes
        assert NAME in _json_paths(done.stdout, output_format)


def _json_paths(text: str, output_format: str) -> list[str]:
    if output_format == "json-lines":
        return [json.loads(line)["path"] for line in text.splitlines()]
    document = json.loads(text)
    if output_format == "sarif":
        locations = [result["locations"][0]["physicalLocation"] for result in document["runs"][0]["results"]]
        return [unquote(location["artifactLocation"]["uri"], errors="surrogateescape") for location in locations]
    if output_format == "gitlab":
        return [issue["location"]["path"] for issue in document]
    return [item["path"] for item in document]


# --- stderr: usage errors, notes of --fix and --diff ----------------------------------


def assert_stderr_inert(err: str) -> None:
    assert_inert(err, human=True)
    assert err and all(line.startswith(("fmlint: ", "usage: ")) for line in err.splitlines()), err


@pytest.mark.parametrize(
    ("table", "shown"),
    [
        ('[tool.fmlint]\n"x\\n::error file=a.md::forged" = 1\n', "unknown key `x\u240a::error file=a.md::forged`"),
        ('[tool.fmlint]\nselect = ["::stop-commands::x"]\n', "`::stop-commands::x`"),
        ('[tool.fmlint.rules."\\u001b[2J\\u202e\\u200b"]\n', "no rule named `\u241b[2J<U+202E><U+200B>`"),
        ('[tool.fmlint]\noutput-format = "x\\r::error::forged"\n', 'got the string "x\\r::error::forged"'),
    ],
)
def test_a_committed_config_cannot_forge_a_usage_error(tmp_path: Path, table: str, shown: str) -> None:
    folder = tmp_path / f"site{FORGED}"  # the folder's name is in the message too
    folder.mkdir()
    (folder / "pyproject.toml").write_text(table, encoding="utf-8")
    (folder / "a.md").write_text(MINIMAL, encoding="utf-8")
    done = run("check", "a.md", cwd=folder)
    assert (done.returncode, done.stdout) == (2, "")
    assert_stderr_inert(done.stderr)
    assert shown in done.stderr
    assert "site\u240a::error file=README.md,line=1::forged/pyproject.toml" in done.stderr


def test_fix_notes_cannot_forge(tmp_path: Path) -> None:
    """A file --fix leaves alone (it has two hard links) is named in a note on stderr."""
    fixable = MINIMAL.replace('"An article"', '"An article "')
    (tmp_path / NAME).write_text(fixable, encoding="utf-8")
    os.link(tmp_path / NAME, tmp_path / "link.md")
    done = run("check", "--isolated", "--fix", "--output-format", "json", NAME, cwd=tmp_path)
    assert done.returncode == 1
    assert_stderr_inert(done.stderr)
    assert "fmlint: warning: news\u240a::error file=README.md,line=1::forged" in done.stderr
    assert "not fixed: it has 2 hard links" in done.stderr
    assert (tmp_path / NAME).read_text(encoding="utf-8") == fixable


BODIES = {
    "stop.md": "::stop-commands::x\nmore\n",  # the first body line is context in the diff
    "indented.md": "   ::error file=README.md::forged\n",  # the runner trims leading spaces
    "escape.md": f"A body {CLEAR} that clears the screen\n",
    "bidi.md": f"A body with {BIDI} in it\n",
    "cr.md": "A body\r::error::forged\n",  # the runner reads a lone CR as a line break
    "latin1.md": "caf\xe9\n",
}


@pytest.mark.parametrize("name", list(BODIES))
def test_diff_leaves_out_a_file_whose_lines_would_act(tmp_path: Path, name: str) -> None:
    fixable = MINIMAL.replace("\n---\n", '\nexcerpt: "Short. "\n---\n')  # a fix on line 8: the body is context
    encoding = "latin-1" if name == "latin1.md" else "utf-8"
    (tmp_path / name).write_bytes((fixable + BODIES[name]).encode(encoding))
    (tmp_path / "plain.md").write_text(fixable.replace("an-article", "plain") + "Body\n", encoding="utf-8")
    done = run("check", "--isolated", "--diff", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert_inert(done.stdout, human=False)
    assert done.stdout.startswith("diff --git a/plain.md b/plain.md\n")  # the other file's fixes are shown
    assert f"a/{name}" not in done.stdout
    assert_stderr_inert(done.stderr.removesuffix("Would fix 2 problems in 2 files.\n"))
    assert f"fmlint: warning: {name}: its fixes are not in the diff: line 10 " in done.stderr
    fixed = run("check", "--isolated", "--fix", name, cwd=tmp_path)  # --fix still applies them
    assert fixed.returncode == 0, fixed.stdout


def test_show_traceback_escapes_the_exception_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception whose text quotes a value from the file (in-process: a rule made to fail)."""
    from typing import Any

    import fmlint.pipeline.check
    import fmlint.pipeline.lint
    from conftest import run_cli
    from fmlint.rules import BY_CODE, RULES

    def check(context: Any) -> list[Any]:
        raise ValueError(f"bad value {FORGED} {CLEAR}")

    broken = BY_CODE["FM301"]._replace(stage="document", check=check)
    rules = tuple(broken if rule.code == "FM301" else rule for rule in RULES)
    linter = fmlint.pipeline.lint.Linter
    monkeypatch.setattr(fmlint.pipeline.lint, "Linter", lambda settings: linter(settings, rules))
    (tmp_path / "x.md").write_text(MINIMAL, encoding="utf-8")
    result = run_cli("check", "--isolated", "--show-traceback", "--output-format", "json", "x.md", cwd=tmp_path)
    assert result.code == 1 and result.err.startswith("Traceback (most recent call last):")
    assert_inert(result.err, human=True)
    assert result.err.rstrip().endswith("ValueError: bad value \u240a::error file=README.md,line=1::forged \u241b[2J")
