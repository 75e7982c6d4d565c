"""Hostile input, through the installed ``fmlint`` command, in bounded time and memory.

Each case puts one hostile file next to a valid one and runs the real console script
in a subprocess with an address-space limit and a timeout. Every case must give the
expected diagnostics at their exact positions, exit 0 or 1, print nothing on stderr
(so no traceback), and still lint the valid file: one bad file never stops a run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL, run_cli

if sys.platform == "win32":  # pragma: no cover - FIFOs, /dev/zero, rlimits and capabilities are POSIX
    pytest.skip("the hostile-input tests need a POSIX system", allow_module_level=True)

import resource  # POSIX only

FMLINT = str(Path(sys.executable).with_name("fmlint"))
MEMORY_LIMIT = 768 * 1024 * 1024  # address space, not resident memory: it includes every mapped library
TIME_LIMIT = 15.0  # seconds for one run; a normal run takes a tenth of that, a hang takes forever

Found = list[tuple[int, int, str]]

# The fields every case starts from: the valid article of MINIMAL without its closing fence,
# so that hostile lines added below it start on line 8.
FIELDS = MINIMAL.removesuffix("---\n")
assert FIELDS.count("\n") == 7
# The valid file linted next to each hostile one: another article (the same URL twice is FM701).
GOOD = MINIMAL.replace("An article", "Another article").replace("an-article", "another-article")


@dataclass
class Run:
    code: int
    findings: dict[str, Found]  # path -> (line, column, code) of each diagnostic, in output order
    messages: dict[str, list[str]]
    err: str
    seconds: float


def fmlint(*args: str, cwd: Path, before: Callable[[], None] | None = None) -> Run:
    """Run the installed command with ``--output-format json``, bounded in memory and time."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        if before is not None:
            before()

    start = time.monotonic()
    completed = subprocess.run(
        [FMLINT, "check", "--output-format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT * 4,  # the assertion below is the bound; this only stops a hang
        preexec_fn=limit,
        check=False,
    )
    seconds = time.monotonic() - start
    findings: dict[str, Found] = {}
    messages: dict[str, list[str]] = {}
    if completed.returncode in (0, 1):
        for item in json.loads(completed.stdout):
            findings.setdefault(item["path"], []).append((item["line"], item["column"], item["code"]))
            messages.setdefault(item["path"], []).append(item["message"])
    return Run(completed.returncode, findings, messages, completed.stderr, seconds)


def assert_bounded(run: Run) -> None:
    assert run.err == "", run.err
    assert run.code in (0, 1)
    assert run.seconds < TIME_LIMIT


def lint_beside_good(tmp_path: Path, name: str, *args: str, before: Callable[[], None] | None = None) -> Run:
    """Lint ``name`` and a valid ``good.md`` next to it; the valid file must stay clean."""
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    run = fmlint(*args, name, "good.md", cwd=tmp_path, before=before)
    assert_bounded(run)
    assert "good.md" not in run.findings
    return run


def config(tmp_path: Path, **limits: int) -> str:
    lines = [f"{key.replace('_', '-')} = {value}" for key, value in limits.items()]
    path = tmp_path / "limits.toml"
    path.write_text("[limits]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def laughs(levels: int) -> str:
    """A "billion laughs": each level is a list of nine aliases to the level before."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


BIG = 30_000_000  # "tens of megabytes"; the largest contents are made only when their test runs
Content = str | bytes | Callable[[], str | bytes]


def write(path: Path, content: Content) -> None:
    data = content() if callable(content) else content
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


CASES: list[Any] = [
    # Aliases: expansion is counted while parsing (9**9 nodes here), cycles are cut.
    pytest.param(FIELDS + laughs(9) + "---\n", [(13, 8, "FM008")], id="billion-laughs"),
    pytest.param(FIELDS + "topics: &x [*x]\n---\n", [(8, 13, "FM106"), (8, 13, "FM202")], id="self-alias-list"),
    pytest.param(FIELDS + "extra: &m {a: *m}\n---\n", [(8, 1, "FM205"), (8, 15, "FM106")], id="self-alias-map"),
    # Flow nesting is bounded before libyaml sees it (libyaml crashes near depth 40,000).
    pytest.param(FIELDS + "extra: " + "[" * 100_000 + "]" * 100_000 + "\n---\n", [(8, 72, "FM008")], id="deep-flow"),
    pytest.param(FIELDS + "extra: " + "[{a: " * 30_000 + "\n---\n", [(8, 168, "FM008")], id="deep-flow-unclosed"),
    pytest.param(
        FIELDS + "".join(" " * i + f"k{i}:\n" for i in range(200)) + "---\n", [(72, 65, "FM008")], id="deep-block"
    ),
    # Size: only the head of a file is read, and at most max-front-matter-bytes of it.
    pytest.param(lambda: FIELDS + 'summary: "' + "a" * BIG + '"\n---\n', [(1, 1, "FM008")], id="huge-line-in-block"),
    pytest.param(lambda: "---\n" + "a" * BIG, [(1, 1, "FM008")], id="huge-unclosed-block"),
    pytest.param(lambda: "a" * BIG + "\n", [(1, 1, "FM001")], id="huge-first-line"),
    pytest.param(lambda: MINIMAL + "body line\n" * (BIG // 10), [], id="huge-body"),
    pytest.param(
        lambda: "---\n" + "".join(f"k{i}: 1\n" for i in range(200_000)) + "---\n", [(1, 1, "FM008")], id="200k-keys"
    ),
    pytest.param(
        FIELDS + "quality: 1" + ":59" * 200_000 + "\n---\n", [(8, 10, "FM008"), (8, 10, "FM202")], id="sexagesimal"
    ),
    # Tags never construct anything.
    pytest.param(FIELDS + "extra: !secret vault/key\n---\n", [(8, 1, "FM205"), (8, 8, "FM104")], id="unknown-tag"),
    pytest.param(FIELDS + "extra: !!int abc\n---\n", [(8, 1, "FM205"), (8, 8, "FM104")], id="wrong-standard-tag"),
    # Encodings.
    pytest.param((FIELDS + "extra: caf\xe9\n---\n").encode("latin-1"), [(8, 11, "FM006")], id="invalid-utf8"),
    pytest.param(MINIMAL.encode("utf-16"), [(1, 1, "FM006")], id="utf16-bom"),
    pytest.param(MINIMAL.encode("utf-16-le"), [(1, 1, "FM006")], id="utf16-no-bom"),
    pytest.param(FIELDS + "extra: a\0b\n---\n", [(8, 1, "FM006")], id="nul-in-block"),
    pytest.param(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 64, [(1, 1, "FM006")], id="binary-png"),
    pytest.param(b"---\n" + bytes(range(256)) * 16 + b"\n---\n", [(2, 1, "FM006")], id="binary-in-block"),
    pytest.param(b"---\ntitle: \xff\xfe\xfd\n---\n", [(2, 8, "FM006")], id="binary-bytes-no-nul"),
    # Block shapes.
    pytest.param("", [(1, 1, "FM001")], id="empty-file"),
    pytest.param("---", [(1, 1, "FM002")], id="lone-fence"),
    pytest.param("---\n", [(1, 1, "FM002")], id="lone-fence-line"),
    pytest.param("---\n---\n", [(1, 1, "FM003")], id="empty-block"),
    pytest.param("---\n# nothing\n---\n", [(1, 1, "FM003")], id="comment-only-block"),
    pytest.param("---\n- a\n- b\n---\n", [(2, 1, "FM004")], id="list-block"),
    pytest.param("---\njust text\n---\n", [(2, 1, "FM004")], id="scalar-block"),
    pytest.param("---\n~\n---\n", [(2, 1, "FM004")], id="null-block"),
    pytest.param(
        FIELDS + "1: a\n? [a, b]\n: c\nnull: x\n---\n",
        [(8, 1, "FM105"), (8, 1, "FM205"), (9, 3, "FM105"), (11, 1, "FM105"), (11, 1, "FM205")],
        id="non-string-keys",
    ),
    # Numbers.
    pytest.param(FIELDS + "quality: .inf\nheat: .nan\n---\n", [(8, 10, "FM202"), (9, 7, "FM202")], id="inf-nan"),
    pytest.param(
        FIELDS + "quality: " + "9" * 999 + "\nheat: -" + "9" * 999 + "\n---\n",
        [(8, 10, "FM501"), (9, 7, "FM203")],
        id="huge-integers",
    ),
    pytest.param(
        FIELDS + "quality: " + "9" * 5000 + "\n---\n", [(8, 10, "FM008"), (8, 10, "FM202")], id="too-long-integer"
    ),
    pytest.param(FIELDS + "quality: 1e400\n---\n", [(8, 10, "FM103"), (8, 10, "FM202")], id="float-overflow"),
    pytest.param(
        MINIMAL.replace(".com/", ".com:" + "9" * 10_000 + "/"),
        [(4, 9, "FM301")],
        id="port-of-10000-digits",
    ),
    pytest.param(
        FIELDS + "quality: !!float " + "9" * 400 + "\nheat: !!float -" + "9" * 400 + "\n---\n",
        [(8, 10, "FM202"), (9, 7, "FM202")],
        id="float-tag-on-a-huge-integer",
    ),
    pytest.param(
        "---\n\ufefftitle: 5\n---\n",
        [(1, 1, "FM201"), (1, 1, "FM201"), (1, 1, "FM201"), (2, 9, "FM202")],
        id="bom-opening-the-block",
    ),
    pytest.param(  # libyaml drops the first mark uncounted and skips the second
        "---\n\ufeff\ufefftitle: 5\n---\n",
        [(1, 1, "FM201"), (1, 1, "FM201"), (1, 1, "FM201"), (2, 10, "FM202")],
        id="two-boms-opening-the-block",
    ),
    # Syntax.
    pytest.param(FIELDS + "related:\n\t- a\n---\n", [(9, 1, "FM005")], id="tab-indentation"),
    pytest.param(FIELDS + 'summary: "a\n---\nb"\n---\n', [(9, 1, "FM005")], id="fence-inside-quotes"),
    pytest.param(FIELDS + "extra: \x07\n---\n", [(8, 8, "FM005")], id="control-character"),
]


@pytest.mark.parametrize(("content", "expected"), CASES)
def test_hostile_file(tmp_path: Path, content: Content, expected: Found) -> None:
    write(tmp_path / "x.md", content)
    run = lint_beside_good(tmp_path, "x.md")
    assert run.findings.get("x.md", []) == expected
    assert run.code == (1 if any(code not in ("FM102", "FM103", "FM205") for _, _, code in expected) else 0)


def test_python_tags_construct_and_run_nothing(tmp_path: Path) -> None:
    payloads = [
        '!!python/object/apply:os.system ["touch PWNED-apply"]',
        '!!python/object/new:os.system ["touch PWNED-new"]',
        "!!python/name:os.system",
        "!!python/module:os",
    ]
    keys = ["a", "b", "c", "d"]
    text = FIELDS + "".join(f"{key}: {payload}\n" for key, payload in zip(keys, payloads, strict=True))
    text += '? !!python/object/apply:os.system ["touch PWNED-key"]\n: x\n---\n'
    (tmp_path / "x.md").write_text(text, encoding="utf-8")
    run = lint_beside_good(tmp_path, "x.md")
    assert run.findings["x.md"] == [
        *[(line, column, code) for line in range(8, 12) for column, code in ((1, "FM205"), (4, "FM104"))],
        (12, 3, "FM104"),
        (12, 3, "FM105"),
    ]
    assert list(tmp_path.glob("PWNED*")) == []


def test_the_tag_payload_is_real(tmp_path: Path) -> None:
    """What the test above proves nothing happened for: an unsafe loader runs the payload."""
    import yaml

    yaml.unsafe_load(f'!!python/object/apply:os.system ["touch {tmp_path / "PWNED"}"]')
    assert (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    ("limits", "content", "expected"),
    [
        # Raised limits still bound the run: libyaml's own nesting limit, the node count.
        pytest.param(
            {"max_depth": 100_000},
            FIELDS + "extra: " + "[" * 100_000 + "\n---\n",
            [(8, 1007, "FM005")],
            id="deep-flow-past-raised-depth",
        ),
        pytest.param(
            {"max_front_matter_bytes": 8_000_000},
            lambda: "---\n" + "".join(f"k{i}: 1\n" for i in range(200_000)) + "---\n",
            [(50_001, 9, "FM008")],
            id="200k-keys-past-node-limit",
        ),
        pytest.param(
            {"max_front_matter_bytes": 64_000_000},
            lambda: FIELDS + 'summary: "' + "a" * BIG + '"\n---\n',
            [(8, 1, "FM205")],
            id="huge-line-read-in-linear-time",
        ),
        pytest.param(
            {"max_number_length": 3000},
            FIELDS + "quality: " + ":".join(["1"] * 200_000) + "\n---\n",
            [(8, 10, "FM008"), (8, 10, "FM202")],
            id="sexagesimal-past-raised-length",
        ),
        pytest.param(
            {"max_number_length": 3000},
            FIELDS + "quality: 0x" + "f" * 2990 + "\nheat: -1" + ":59" * 999 + "\n---\n",
            [(8, 10, "FM501"), (9, 7, "FM103"), (9, 7, "FM203")],
            id="longest-numbers-allowed",
        ),
    ],
)
def test_hostile_file_with_raised_limits(
    tmp_path: Path, limits: dict[str, int], content: Content, expected: Found
) -> None:
    write(tmp_path / "x.md", content)
    run = lint_beside_good(tmp_path, "x.md", "--config", config(tmp_path, **limits))
    assert run.findings.get("x.md", []) == expected


def test_a_number_limit_python_cannot_honour_is_refused(tmp_path: Path) -> None:
    completed = subprocess.run(
        [FMLINT, "check", "--config", config(tmp_path, max_number_length=100_000), "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "limit `max-number-length` must be at most 3000" in completed.stderr


def _variants(name: str, lf: str) -> dict[str, bytes]:
    """The file ``lf`` as written with LF and CRLF line ends, with and without a UTF-8 BOM."""
    crlf = lf.replace("\n", "\r\n")
    return {
        f"{name}-lf.md": lf.encode(),
        f"{name}-crlf.md": crlf.encode(),
        f"{name}-bom-lf.md": b"\xef\xbb\xbf" + lf.encode(),
        f"{name}-bom-crlf.md": b"\xef\xbb\xbf" + crlf.encode(),
    }


def test_bom_and_crlf_give_the_same_findings_at_the_same_places(tmp_path: Path) -> None:
    article = _variants("article", FIELDS + "published: yes\nquality: -5\ntopics: [AI, AI]\ntitle: again\n---\nbody\n")
    # A BOM opening the block, and a parser mark at the very end of the stream.
    unclosed = _variants("unclosed", "---\n\ufeff'unclosed\n---")
    for name, data in {**article, **unclosed}.items():
        (tmp_path / name).write_bytes(data)
    run = fmlint(*article, *unclosed, cwd=tmp_path)
    assert_bounded(run)
    # Four copies of one article: each is also a duplicate of the others (FM701), at the same place.
    expected = [(4, 9, "FM701"), (8, 12, "FM102"), (9, 10, "FM203"), (10, 14, "FM210"), (11, 1, "FM101")]
    assert {name: run.findings[name] for name in article} == {name: expected for name in article}
    assert len({tuple(run.messages[name][1:]) for name in article}) == 1  # FM701 names the other files
    assert {name: run.findings[name] for name in unclosed} == {name: [(3, 1, "FM005")] for name in unclosed}


# --- paths -------------------------------------------------------------------


def test_fifo_named_like_an_article_is_reported_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.md")
    run = lint_beside_good(tmp_path, "x.md")
    assert run.findings["x.md"] == [(1, 1, "FM007")]
    assert "FIFO" in run.messages["x.md"][0]
    walked = fmlint(".", cwd=tmp_path)  # found by walking, too
    assert_bounded(walked)
    assert walked.findings == {"x.md": [(1, 1, "FM007")]}


def test_symlink_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "x.md").symlink_to("/dev/zero")
    run = lint_beside_good(tmp_path, "x.md")
    assert run.findings["x.md"] == [(1, 1, "FM007")]
    assert "character device" in run.messages["x.md"][0]


def test_directory_named_like_an_article_is_walked(tmp_path: Path) -> None:
    (tmp_path / "x.md").mkdir()
    (tmp_path / "x.md" / "inner.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    for target in ("x.md", "."):
        run = lint_beside_good(tmp_path, target)
        assert run.findings == {"x.md/inner.md": [(3, 1, "FM005")]}


def test_dangling_symlink_and_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "dangling.md").symlink_to("nowhere.md")
    (tmp_path / "loop-a.md").symlink_to("loop-b.md")
    (tmp_path / "loop-b.md").symlink_to("loop-a.md")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a directory loop, while walking
    (tmp_path / "sub" / "article.md").write_text(MINIMAL, encoding="utf-8")
    run = lint_beside_good(tmp_path, ".")
    assert run.findings == {
        "dangling.md": [(1, 1, "FM007")],
        "loop-a.md": [(1, 1, "FM007")],
        "loop-b.md": [(1, 1, "FM007")],
    }
    assert run.messages["dangling.md"] == ["dangling symbolic link: its target does not exist"]
    assert run.messages["loop-a.md"] == ["symbolic link loop"]


@pytest.mark.parametrize("output_format", ["text", "github", "sarif", "junit", "gitlab"])
def test_file_names_that_are_not_text_or_hold_a_newline(tmp_path: Path, output_format: str) -> None:
    (tmp_path / os.fsdecode(b"bad\xff.md")).write_text("---\ntitle: [\n---\n", encoding="utf-8")
    (tmp_path / "two\nlines::error::forged.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    run = fmlint(".", cwd=tmp_path)
    assert_bounded(run)
    assert run.findings == {"bad\udcff.md": [(3, 1, "FM005")], "two\nlines::error::forged.md": [(3, 1, "FM005")]}
    completed = subprocess.run(
        [FMLINT, "check", "--output-format", output_format, "."], cwd=tmp_path, capture_output=True, check=False
    )
    assert (completed.returncode, completed.stderr) == (1, b"")
    if output_format == "github":  # one workflow command per finding: the newline cannot start a forged one
        assert [line[:7] for line in completed.stdout.splitlines()] == [b"::error"] * 2


_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _without_root_file_access() -> Callable[[], None] | None:
    """Root reads every file whatever its mode, so a root run gives up that power first.

    Dropping the two capabilities from the bounding set before ``exec`` leaves the new
    process root, able to run the interpreter it owns, but bound by permission bits.
    """
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
            if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


def test_unreadable_file_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text(MINIMAL, encoding="utf-8")
    os.chmod(tmp_path / "x.md", 0)
    drop = _without_root_file_access()
    probe = subprocess.run(
        [sys.executable, "-c", "open('x.md').close()"], cwd=tmp_path, preexec_fn=drop, capture_output=True, check=False
    )
    if probe.returncode == 0:
        pytest.skip("this process can read a file of mode 000 (it cannot give up root's file access)")
    run = lint_beside_good(tmp_path, "x.md", before=drop)
    assert run.findings == {"x.md": [(1, 1, "FM007")]}
    assert run.messages["x.md"] == ["permission denied"]
    assert run.code == 1


# --- user schemas --------------------------------------------------------------


def write_schema(tmp_path: Path, schema: dict[str, Any]) -> str:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}))
    return str(path)


@pytest.mark.parametrize("others", ["additionalProperties", "unevaluatedProperties"])
def test_catastrophic_pattern_is_matched_in_linear_time(tmp_path: Path, others: str) -> None:
    # Python's re takes about 2**40 steps on each of these values; a linear-time engine a few hundred.
    # The first schema goes through fmlint's compiled check, the second through jsonschema.
    schema = write_schema(
        tmp_path,
        {
            "properties": {
                "title": {"pattern": "^(a+)+$|^Another article$"},
                **{key: {} for key in ("publishedDateTime", "webUrl", "provider")},
            },
            "patternProperties": {"^(x+)+$": {"type": "integer"}},
            others: False,
        },
    )
    evil = "a" * 40 + "!"
    text = FIELDS.replace('"An article"', f'"{evil}"') + "x" * 40 + "!: 1\n---\n"
    (tmp_path / "x.md").write_text(text, encoding="utf-8")
    run = lint_beside_good(tmp_path, "x.md", "--schema", schema)
    assert run.findings["x.md"] == [(2, 8, "FM208"), (8, 1, "FM205")]


def test_values_that_must_be_regexes_cannot_break_the_check(tmp_path: Path) -> None:
    schema = write_schema(
        tmp_path,
        {"properties": {key: {"format": "regex"} for key in "abcde"}},
    )
    # Valid ECMA-262 (deep, huge repetition, lookahead), then two that are not regular expressions.
    values = ["(" * 2000 + ")" * 2000, "a{99999999999}", "(?=lookahead)", "(unclosed", "[z-a]"]
    text = "---\n" + "".join(f"{key}: '{value}'\n" for key, value in zip("abcde", values, strict=True)) + "---\n"
    (tmp_path / "x.md").write_text(text, encoding="utf-8")
    run = lint_beside_good(tmp_path, "x.md", "--schema", schema)
    assert run.findings["x.md"] == [(5, 4, "FM209"), (6, 4, "FM209")]
    assert "`d` must be a regular expression" in run.messages["x.md"][0]


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ({"properties": {"title": {"pattern": "^(?!draft)"}}}, "has the pattern '^(?!draft)', which cannot be used"),
        ({"properties": {"title": {"pattern": r"(a)\1"}}}, "no backreferences, no lookahead or lookbehind"),
        ({"patternProperties": {"x{2000}{2000}": {}}}, "has the pattern 'x{2000}{2000}', which cannot be used"),
        ({"properties": {"id": {"format": "color"}}}, "uses format 'color', which no installed checker enforces"),
    ],
)
def test_unusable_schema_is_refused_at_startup(tmp_path: Path, schema: dict[str, Any], fragment: str) -> None:
    (tmp_path / "good.md").write_text(MINIMAL, encoding="utf-8")
    completed = subprocess.run(
        [FMLINT, "check", "--isolated", "--schema", write_schema(tmp_path, schema), "good.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert fragment in completed.stderr
    assert "Traceback" not in completed.stderr


def test_recursive_schema_on_deep_data_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    # Any text or number, at any depth: the valid article next to it passes.
    leaf = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"$ref": "#"}]}
    schema = write_schema(tmp_path, {"type": "object", "additionalProperties": leaf, "items": {"$ref": "#"}})
    deep = "---\n" + "".join(" " * i + f"k{i}:\n" for i in range(400)) + " " * 400 + "x: text\n---\n"
    (tmp_path / "x.md").write_text(deep, encoding="utf-8")
    (tmp_path / "y.md").write_text(deep.replace("x: text", "x: [a list]"), encoding="utf-8")
    limits = config(tmp_path, max_depth=1000)
    run = lint_beside_good(tmp_path, "x.md", "--schema", schema, "--config", limits, "y.md")
    assert "x.md" not in run.findings  # valid at any depth
    assert run.findings["y.md"] == [(2, 1, "FM008")]
    assert "nested too deeply to be checked against the schema" in run.messages["y.md"][0]


# --- internal errors -------------------------------------------------------------


def test_terminal_that_cannot_show_the_text_does_not_end_the_run(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text(FIELDS + "extra: café ☕\n---\n", encoding="utf-8")
    completed = subprocess.run(
        [FMLINT, "check", "--isolated", "x.md"],
        cwd=tmp_path,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == b""
    assert b"extra: caf\\xe9 \\u2615" in completed.stdout


def _break_rule(monkeypatch: pytest.MonkeyPatch, code: str, on: str) -> None:
    """Make rule ``code`` raise on the file named ``on`` (and work on every other file)."""
    import fmlint.pipeline.check
    import fmlint.pipeline.lint
    from fmlint.rules import BY_CODE, RULES

    def check(context: Any) -> list[Any]:
        if Path(context.doc.path).name == on:
            raise KeyError("boom")
        original = BY_CODE[code].check
        return list(original(context)) if original is not None else []

    broken = BY_CODE[code]._replace(stage="document", check=check)
    rules = tuple(broken if rule.code == code else rule for rule in RULES)
    linter = fmlint.pipeline.lint.Linter
    # `fmlint check` builds its Linter with the registry's rules; this one gets the broken rule.
    monkeypatch.setattr(fmlint.pipeline.lint, "Linter", lambda settings: linter(settings, rules))


def test_an_exception_in_a_rule_is_fm902_on_that_file_and_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_rule(monkeypatch, "FM301", on="x.md")
    (tmp_path / "x.md").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "other.md").write_text(GOOD.removesuffix("---\n") + "quality: -5\n---\n", encoding="utf-8")
    result = run_cli("check", "--isolated", "--output-format", "json", "x.md", "other.md", cwd=tmp_path)
    assert result.code == 1
    assert result.err == ""
    found = json.loads(result.out)
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in found] == [
        ("other.md", 8, 10, "FM203"),
        ("x.md", 1, 1, "FM902"),
    ]
    assert found[1]["message"] == (
        "internal error in rule FM301 (invalid-url): KeyError: 'boom'; "
        "this is a bug in fmlint, run with --show-traceback for details"
    )


def test_a_rule_that_fails_after_some_findings_reports_only_the_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fmlint.pipeline.check
    import fmlint.pipeline.lint
    from fmlint.rules import BY_CODE, RULES

    def check(context: Any) -> Iterator[Any]:
        yield context.report("/title", "a finding made before the rule broke")
        raise KeyError("boom")

    broken = BY_CODE["FM301"]._replace(stage="document", check=check)
    rules = tuple(broken if rule.code == "FM301" else rule for rule in RULES)
    linter = fmlint.pipeline.lint.Linter
    monkeypatch.setattr(fmlint.pipeline.lint, "Linter", lambda settings: linter(settings, rules))
    (tmp_path / "x.md").write_text(MINIMAL, encoding="utf-8")
    result = run_cli("check", "--isolated", "--output-format", "json", "x.md", cwd=tmp_path)
    found = json.loads(result.out)
    assert [(d["line"], d["column"], d["code"]) for d in found] == [(1, 1, "FM902")]


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_show_traceback_prints_the_details(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    _break_rule(monkeypatch, "FM301", on="x.md")
    (tmp_path / "x.md").write_text(MINIMAL, encoding="utf-8")
    args = ["check", "--isolated", "--output-format", "concise", "x.md"]
    quiet = run_cli(*args, cwd=tmp_path)
    assert quiet.err == ""
    if how == "flag":
        args.append("--show-traceback")
    else:
        monkeypatch.setenv("FMLINT_SHOW_TRACEBACK", "1")
    loud = run_cli(*args, cwd=tmp_path)  # not answered from the result cache: internal errors are not kept
    assert loud.code == 1
    assert loud.out == quiet.out
    assert loud.err.startswith("Traceback (most recent call last):")
    assert 'raise KeyError("boom")' in loud.err
    assert loud.err.rstrip().endswith("KeyError: 'boom'")


def test_an_exception_outside_the_rules_is_fm902_on_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fmlint.pipeline.check
    import fmlint.pipeline.lint

    real = fmlint.pipeline.check.read_front_matter_yaml

    def read_yaml(text: str, limits: Any) -> Any:
        if "explode" in text:
            raise ValueError("unexpected")
        return real(text, limits)

    monkeypatch.setattr(fmlint.pipeline.check, "read_front_matter_yaml", read_yaml)
    # Anchors send both files to the full YAML reader.
    (tmp_path / "x.md").write_text(FIELDS + "a: &explode 1\n---\n", encoding="utf-8")
    (tmp_path / "y.md").write_text(FIELDS + "a: &anchor 1\n---\n", encoding="utf-8")
    result = run_cli("check", "--isolated", "--output-format", "concise", "--quiet", "x.md", "y.md", cwd=tmp_path)
    assert result.code == 1
    assert result.out.splitlines() == [
        "x.md:1:1: FM902 internal error in fmlint while reading or validating this file: ValueError: unexpected; "
        "this is a bug in fmlint, run with --show-traceback for details",
        "y.md:8:1: FM205 unknown field `a`",
    ]
