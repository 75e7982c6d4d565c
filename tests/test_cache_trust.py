"""A result cache fmlint did not write, on this machine, for this user, is never believed, and
nothing in a cache runs.

Every run goes through the installed ``fmlint`` command, as CI runs it on a pull
request whose author may have committed a ``.fmlint_cache/`` (``git add -f``). Each
test has user cache directories of its own (``XDG_CACHE_HOME``): one is the user's,
another plays the part of someone else.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL
from fmlint.run import cache as cache_module
from fmlint.run.cache import files as cache_files
from fmlint.run.cache.signing import KEY_BYTES, Signer, load_key

FMLINT = Path(sys.executable).with_name("fmlint")
BAD = MINIMAL.replace('title: "An article"', "quality: -5")  # FM201 + FM203
BAD_FINDINGS = [("bad.md", 1, 1, "FM201"), ("bad.md", 2, 10, "FM203")]
COUNT = re.compile(r"^fmlint: (\d+) files, (\d+) from the cache$", re.MULTILINE)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "checkout"
    folder.mkdir()
    for index in range(3):
        (folder / f"good{index}.md").write_text(MINIMAL.replace("an-article", f"article-{index}"))
    (folder / "bad.md").write_text(BAD)
    return folder


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    """This user's cache directory."""
    return tmp_path / "my-cache"


@pytest.fixture
def theirs(tmp_path: Path) -> Path:
    """Someone else's: another user, another machine, the author of a pull request."""
    return tmp_path / "their-cache"


class Run:
    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        self.code = completed.returncode
        self.err = completed.stderr
        self.findings = [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(completed.stdout or "[]")]
        (counted,) = COUNT.findall(self.err)
        self.files, self.from_cache = int(counted[0]), int(counted[1])


def fmlint(project: Path, user_cache: Path, *args: str) -> Run:
    """``fmlint check -v`` of ``project`` with ``user_cache`` as XDG_CACHE_HOME."""
    env = {**os.environ, "XDG_CACHE_HOME": str(user_cache)}
    command = [str(FMLINT), "check", "-v", "--jobs", "1", "--output-format", "json", "--select", "FM0,FM1,FM2"]
    completed = subprocess.run(
        [*command, *args, "."], cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in completed.stderr
    assert completed.returncode in (0, 1), completed.stderr
    return Run(completed)


def signer_of(user_cache: Path) -> Signer:
    return Signer(load_key(str(user_cache / "fmlint")))


def cache_files_of(project: Path) -> list[Path]:
    return sorted(path for path in (project / ".fmlint_cache").glob("*/*") if path.is_file())


def test_verbose_says_what_the_run_used_and_what_the_cache_answered(project: Path, mine: Path) -> None:
    cold = fmlint(project, mine)
    assert "fmlint: configuration: none\n" in cold.err
    assert "fmlint: schema: the built-in article schema\n" in cold.err
    assert f"(signed with the key in {mine / 'fmlint'})" in cold.err
    assert (cold.files, cold.from_cache) == (4, 0)
    warm = fmlint(project, mine)
    assert (warm.findings, warm.files, warm.from_cache) == (cold.findings, 4, 4)
    assert "refused" not in warm.err
    (project / "schema.json").write_text('{"type": "object", "required": ["title"]}')
    (project / "pyproject.toml").write_text("[tool.fmlint]\nschema = 'schema.json'\n")
    configured = fmlint(project, mine)
    assert f"fmlint: configuration: {project / 'pyproject.toml'}\n" in configured.err
    assert f"fmlint: schema: {project / 'schema.json'}\n" in configured.err
    assert (configured.findings, configured.from_cache) == ([("bad.md", 1, 1, "FM201")], 0)
    assert "fmlint: cache: off (--no-cache)" in fmlint(project, mine, "--no-cache").err


def test_the_key_is_private_and_outside_the_checkout(project: Path, mine: Path) -> None:
    fmlint(project, mine)
    key = mine / "fmlint" / "key"
    assert key.stat().st_size == KEY_BYTES
    assert key.stat().st_mode & 0o777 == 0o600
    assert (mine / "fmlint").stat().st_mode & 0o777 == 0o700
    assert not [path for path in project.rglob("*") if path.name == "key"]
    before = key.read_bytes()
    fmlint(project, mine)
    assert key.read_bytes() == before  # made once, then kept


def test_the_signature_is_hmac_sha256() -> None:
    """Written out without the hmac module (see Signer), and equal to it."""
    for key in (b"k" * KEY_BYTES, b"", b"x" * 200):
        for data in (b"", b"some data", bytes(range(256)) * 100):
            expected = hmac.new(key, b"7:context\0" + data, "sha256").digest()
            assert Signer(key).sign(b"context", data) == expected
    assert not Signer(b"k" * KEY_BYTES).verify(b"context", b"data", b"\0" * 32)


def _call(function: bytes, *arguments: bytes) -> bytes:
    """Pickle opcodes that call ``function`` with ``arguments`` (REDUCE)."""
    return function + b"(" + b"".join(arguments) + b"tR"


def _global(module: str, name: str) -> bytes:
    return f"c{module}\n{name}\n".encode()


def _text(value: str) -> bytes:
    return f"V{value}\n".encode()


def attrgetter_payload(command: str) -> bytes:
    """``attrgetter`` (found in ``fmlint.pipeline.discover``) walks from an fmlint class to ``os.system``:
    what the restricted unpickler of earlier versions let through."""

    def getter(names: str) -> bytes:
        return _call(_global("fmlint.pipeline.discover", "attrgetter"), _text(names))

    module_globals = _call(getter("__init__.__globals__"), _global("fmlint.pipeline.settings", "Settings"))
    os_module = _call(_call(getter("get"), module_globals), _text("os"))
    system = _call(getter("system"), os_module)
    return _call(system, _text(command)) + b"."


def system_payload(command: str) -> bytes:
    """The plain ``os.system`` reduce."""
    return _call(_global("os", "system"), _text(command)) + b"."


@pytest.mark.parametrize("make_payload", [attrgetter_payload, system_payload])
def test_a_planted_pickle_runs_nothing(project: Path, mine: Path, tmp_path: Path, make_payload: object) -> None:
    marker = tmp_path / "pwned"
    payload = make_payload(f"touch {marker}")  # type: ignore[operator]
    # The payload is real: unpickled, it runs the command.
    subprocess.run([sys.executable, "-c", "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"], input=payload)
    assert marker.exists()
    marker.unlink()
    fmlint(project, mine)
    for folder in (project / ".fmlint_cache").glob("*/"):
        # Where this version reads, where earlier versions read, and behind a signature-shaped prefix.
        for path in [*cache_files_of(project), folder / "run.pickle", *(folder / f"{n:02d}.pickle" for n in range(64))]:
            path.write_bytes(payload if path.suffix == ".pickle" else b"0" * 64 + b" " + payload)
    run = fmlint(project, mine)
    assert not marker.exists()
    assert (run.code, run.findings, run.from_cache) == (1, BAD_FINDINGS, 0)
    assert "not authenticated" in run.err


def _forge_clean(project: Path, signer: Signer) -> None:
    """Make every entry of bad.md say it is clean, for its exact bytes, and sign the shard with ``signer``."""
    forged = 0
    for shard in (project / ".fmlint_cache").glob("*/*.shard"):
        context = cache_module._file_context(str(shard))
        data = cache_files.unsigned(signer, context, shard.read_bytes())
        assert data is not None
        version, entries = json.loads(data)
        if "bad.md" in entries:
            _, content, result = entries["bad.md"]
            entries["bad.md"] = [None, content, [result[0], [], [], [], None]]
            forged += 1
        shard.write_bytes(cache_files.signed(signer, context, json.dumps([version, entries]).encode()))
    assert forged == 1
    for record in (project / ".fmlint_cache").glob("*/run.record"):
        record.unlink()


def test_a_committed_cache_saying_clean_does_not_hide_a_finding(project: Path, mine: Path, theirs: Path) -> None:
    """The author of a pull request runs fmlint with their own key, edits the cache to say bad.md
    is clean, signs it again with their key, and commits it."""
    fmlint(project, theirs)
    _forge_clean(project, signer_of(theirs))
    # The forgery is good enough to fool the key that signed it: the signature is all that stands in its way.
    fooled = fmlint(project, theirs)
    assert (fooled.code, fooled.findings) == (0, [])
    run = fmlint(project, mine)
    assert (run.code, run.findings, run.from_cache) == (1, BAD_FINDINGS, 0)
    assert re.search(r"^fmlint: cache: refused \d+ cache file\(s\) .*\(not authenticated\)$", run.err, re.MULTILINE)


def test_a_cache_made_with_another_users_key_is_a_miss(project: Path, mine: Path, theirs: Path) -> None:
    assert fmlint(project, theirs).from_cache == 0
    assert fmlint(project, theirs).from_cache == 4
    copied = fmlint(project, mine)
    assert (copied.findings, copied.from_cache) == (BAD_FINDINGS, 0)
    assert "not authenticated" in copied.err
    assert fmlint(project, mine).from_cache == 4  # written again, with this user's key
    assert fmlint(project, theirs).from_cache == 0


def test_a_cache_file_copied_to_another_name_is_a_miss(project: Path, mine: Path) -> None:
    """A signature binds a file to its configuration folder and name: a shard moved over another one is refused."""
    fmlint(project, mine)
    shards = sorted((project / ".fmlint_cache").glob("*/*.shard"))
    for shard in shards[1:]:
        shard.write_bytes(shards[0].read_bytes())
    for record in (project / ".fmlint_cache").glob("*/run.record"):
        record.unlink()
    run = fmlint(project, mine)
    assert run.findings == BAD_FINDINGS
    assert run.from_cache <= sum(path in shards[0].read_text() for path in ("bad.md", "good0.md", "good1.md"))
    assert "not authenticated" in run.err


def _garbage(entry: list[object]) -> list[tuple[str, object]]:
    """Entries of bad.md that no version of fmlint writes, each with what is wrong with it."""
    stat, content, result = entry
    assert isinstance(result, list)
    path, diagnostics, facts, suppressions, window = result
    assert isinstance(diagnostics, list) and diagnostics
    first = diagnostics[0]

    def with_diagnostic(index: int, value: object) -> list[object]:
        changed = [*first[:index], value, *first[index + 1 :]]
        return [stat, content, [path, [changed, *diagnostics[1:]], facts, suppressions, window]]

    deep: object = "leaf"
    for _ in range(50):  # deeper than any fact; far deeper is a shard of its own below
        deep = [deep]
    return [
        ("a line that is text", with_diagnostic(1, "1")),
        ("a huge line", with_diagnostic(1, 10**30)),
        ("a negative column", with_diagnostic(2, -3)),
        ("a float line", with_diagnostic(1, 1.5)),
        ("a boolean line", with_diagnostic(1, True)),
        ("a code that is not a rule code", with_diagnostic(5, "XX999")),
        ("an unknown severity", with_diagnostic(7, "fatal")),
        ("a fix that is not one", with_diagnostic(10, ["run", [[0, 0, "x"]], "always"])),
        ("an extra field", [stat, content, [*result, "extra"]]),
        ("a missing field", [stat, content, result[:4]]),
        ("a diagnostic with a field too many", [stat, content, [path, [[*first, 1]], facts, suppressions, window]]),
        ("facts nested deep", [stat, content, [path, diagnostics, [["FM701", deep]], suppressions, window]]),
        ("a huge fact", [stat, content, [path, diagnostics, [["FM701", [10**200]]], suppressions, window]]),
        ("a window of another kind", [stat, content, [path, diagnostics, facts, suppressions, ["sometimes", 1]]]),
        ("a time that is not one", [stat, content, [path, diagnostics, facts, suppressions, ["exact", "soon"]]]),
        ("a hash of another length", [stat, f"{content}00", result]),
        ("an entry of four fields", [stat, content, result, None]),
        ("an entry that is a mapping", {"stat": stat, "content": content}),
    ]


def test_field_level_garbage_is_a_miss(project: Path, mine: Path) -> None:
    """Entries signed with this user's own key but not of the shape fmlint writes are misses,
    one by one: never an exception, never a wrong result."""
    fmlint(project, mine)
    signer = signer_of(mine)
    (shard,) = [path for path in (project / ".fmlint_cache").glob("*/*.shard") if b'"bad.md"' in path.read_bytes()]
    context = cache_module._file_context(str(shard))
    data = cache_files.unsigned(signer, context, shard.read_bytes())
    assert data is not None
    version, entries = json.loads(data)
    for what, garbage in _garbage(entries["bad.md"]):
        for record in (project / ".fmlint_cache").glob("*/run.record"):
            record.unlink()
        forged = json.dumps([version, {**entries, "bad.md": garbage}]).encode()
        shard.write_bytes(cache_files.signed(signer, context, forged))
        run = fmlint(project, mine)
        assert (run.findings, run.from_cache) == (BAD_FINDINGS, 3), what
        assert "entries that are not valid" in run.err, what


@pytest.mark.parametrize(
    "data",
    [
        b'[5,{"bad.md":\xff\xfe"not UTF-8"}]',
        b"[5," * 100_000,
        b'[5,{"bad.md":["1 2 3 4","' + b"0" * 32 + b'",["bad.md",[],[],[],NaN]]}]',
        b'[4,{"bad.md":null}]',
        b'{"version":5}',
    ],
)
def test_a_signed_shard_that_is_not_valid_is_a_miss(project: Path, mine: Path, data: bytes) -> None:
    fmlint(project, mine)
    signer = signer_of(mine)
    for shard in (project / ".fmlint_cache").glob("*/*.shard"):
        shard.write_bytes(cache_files.signed(signer, cache_module._file_context(str(shard)), data))
    for record in (project / ".fmlint_cache").glob("*/run.record"):
        record.unlink()
    run = fmlint(project, mine)
    assert (run.findings, run.from_cache) == (BAD_FINDINGS, 0)
    assert "not valid" in run.err


def test_without_a_usable_user_cache_directory_the_run_goes_without_the_cache(project: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    run = fmlint(project, blocked)
    assert (run.code, run.findings, run.from_cache) == (1, BAD_FINDINGS, 0)
    assert "fmlint: cache: off: cannot create the folder" in run.err
    assert not (project / ".fmlint_cache").exists()
    shared = tmp_path / "shared"
    (shared / "fmlint").mkdir(parents=True)
    os.chmod(shared / "fmlint", 0o777)  # another user could put a key of their own there
    run = fmlint(project, shared)
    assert "fmlint: cache: off:" in run.err and "can be written by other users" in run.err
    assert not (project / ".fmlint_cache").exists()
    os.chmod(shared / "fmlint", 0o700)
    (shared / "fmlint" / "key").write_bytes(os.urandom(KEY_BYTES))
    os.chmod(shared / "fmlint" / "key", 0o644)  # others could read it, and sign with it
    run = fmlint(project, shared)
    assert "can be read or written by other users" in run.err
    assert run.findings == BAD_FINDINGS


def test_a_relative_xdg_cache_home_is_ignored(project: Path, tmp_path: Path) -> None:
    """A relative XDG_CACHE_HOME would put the key in the checkout: the home's cache is used instead."""
    env = {**os.environ, "XDG_CACHE_HOME": "in-the-checkout", "HOME": str(tmp_path / "home")}
    command = [str(FMLINT), "check", "-v", "--select", "FM0,FM1,FM2", "."]
    completed = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 1, completed.stderr
    assert not (project / "in-the-checkout").exists()
    assert (tmp_path / "home" / ".cache" / "fmlint" / "key").is_file()


@pytest.mark.parametrize("planted", [".fmlint_cache", "build"])
def test_a_committed_link_cannot_send_the_cache_out_of_the_tree(
    project: Path, mine: Path, tmp_path: Path, planted: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / planted).symlink_to(elsewhere)
    if planted == "build":  # a link on the way to a configured cache-dir
        (project / "pyproject.toml").write_text('[tool.fmlint]\ncache-dir = "build/cache"\n')
    first = fmlint(project, mine)
    second = fmlint(project, mine)
    assert "fmlint: cache: off: " in first.err and "is a symbolic link out of its folder" in first.err
    assert (second.files, second.from_cache) == (4, 0)
    assert list(elsewhere.rglob("*")) == []
    assert second.findings == first.findings
