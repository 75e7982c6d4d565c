"""What ``--fix`` promises about files: nothing lost, nothing else changed.

Byte-for-byte preservation on real articles (LF, CRLF, BOM), files it must not
touch, modes, owners, symbolic and hard links, the atomic-replace protocol, and
runs killed part-way through.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, run_cli
from fixcases import clean_articles, inject, variant

TEMPORARY = re.compile(r"\.fmlint-[0-9a-f]{16}\.(tmp|old)\Z")  # the new file, and the old one's second name
FMLINT = str(Path(sys.executable).with_name("fmlint"))


def snapshot(directory: Path) -> dict[str, tuple[bytes, int, int, int]]:
    """Every file under ``directory``: its bytes, inode, mtime and mode."""
    found = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            found[str(path.relative_to(directory))] = (path.read_bytes(), info.st_ino, info.st_mtime_ns, info.st_mode)
    return found


def copies(tmp_path: Path, count: int, **how: bool) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """``count`` clean articles, injected; with what each is before and after fixing."""
    folder = tmp_path / "content"
    folder.mkdir()
    before, after = {}, {}
    for source in clean_articles()[:count]:
        fixed = variant(source.read_bytes(), **how)
        before[source.name], after[source.name] = inject(fixed), fixed
        (folder / source.name).write_bytes(before[source.name])
    return folder, before, after


# --- only the fixed values change ------------------------------------------------------


@pytest.mark.parametrize(
    "how", [{}, {"crlf": True}, {"bom": True}, {"crlf": True, "bom": True}], ids=["lf", "crlf", "bom", "crlf-bom"]
)
def test_fixing_injected_whitespace_gives_back_the_original_bytes(tmp_path: Path, how: dict[str, bool]) -> None:
    folder, before, after = copies(tmp_path, 40, **how)
    result = run_cli("check", "--isolated", "--fix", str(folder))
    assert result.err == ""
    assert result.out.startswith("Fixed 80 problems in 40 files.\n"), result.out
    assert {name: (folder / name).read_bytes() for name in before} == after
    again = run_cli("check", "--isolated", "--fix", str(folder))
    assert again.out.startswith("Fixed 0 problems in 0 files.\n")
    assert {name: (folder / name).read_bytes() for name in before} == after


def test_real_stray_whitespace_is_deleted_and_nothing_else(tmp_path: Path) -> None:
    """Every real FM650 finding of the corpus, fixed: only whitespace characters (or their escapes) go."""
    import yaml

    folder = tmp_path / "corpus"
    folder.mkdir()
    originals = {path.name: path.read_bytes() for path in CORPUS.glob("*.md")}
    for name, data in originals.items():
        (folder / name).write_bytes(data)
    result = run_cli("check", "--isolated", "--select", "FM650", "--fix", str(folder))
    assert result.code == 0
    changed = {name for name, data in originals.items() if (folder / name).read_bytes() != data}
    assert result.out == f"Fixed 84 problems in {len(changed)} files.\nAll checks passed (674 files checked).\n"
    for name in changed:
        old, new = originals[name], (folder / name).read_bytes()
        assert _only_deletions_of_whitespace(old, new), name
        old_data = yaml.load(old.split(b"\n---", 1)[0][4:], Loader=yaml.BaseLoader)  # an independent reader
        new_data = yaml.load(new.split(b"\n---", 1)[0][4:], Loader=yaml.BaseLoader)
        assert new_data == {
            key: value.strip() if key in ("title", "excerpt") else value for key, value in old_data.items()
        }
        assert old.split(b"\n---\n", 1)[1] == new.split(b"\n---\n", 1)[1]  # the body


_STRAY = r"(?:\s|\\[tnr_ ]|\\x20|\\u00a0)*"  # whitespace, written as itself or escaped
_VALUE_LINE = re.compile(rf'((?:title|excerpt): "){_STRAY}(.*?){_STRAY}("\r?)')


def _only_deletions_of_whitespace(old: bytes, new: bytes) -> bool:
    """Each changed line is a title or excerpt that lost whitespace at its ends, and nothing else."""
    old_lines, new_lines = old.decode().split("\n"), new.decode().split("\n")
    if len(old_lines) != len(new_lines):
        return False
    for before, after in zip(old_lines, new_lines, strict=True):
        if before != after:
            match = _VALUE_LINE.fullmatch(before)
            if match is None or after != "".join(match.groups()):
                return False
    return True


def test_check_without_fix_never_writes(tmp_path: Path) -> None:
    folder, _, _ = copies(tmp_path, 20)
    (folder / "broken.md").write_bytes(b'---\ntitle: " x "\n  bad: [\n---\n')
    before = snapshot(tmp_path)
    for flags in ([], ["--unsafe-fixes"], ["--diff"], ["--output-format", "json"], ["--strict"]):
        run_cli("check", "--isolated", *flags, str(folder))
    assert snapshot(tmp_path) == before


# --- files fmlint must leave alone --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "note"),
    [
        (
            b'---\ntitle: " An article "\nexcerpt: "a"\nexcerpt: "b"\n---\n',
            "not fixed: its front-matter has a YAML problem (FM101",
        ),
        (b'---\ntitle: " An article "\ntags: [unclosed\n---\n', None),
        (b'---\ntitle: " An article "\nexcerpt: "\xff"\n---\n', None),
        (b'---\ntitle: " An article "\n', None),
        (
            b'---\ntitle: " An article "\nsecret: !vault "x"\n---\n',
            "not fixed: its front-matter has a YAML problem (FM104",
        ),
    ],
    ids=["duplicate-key", "syntax-error", "invalid-utf8", "unclosed", "tag"],
)
def test_a_file_with_a_yaml_or_encoding_problem_is_untouched(tmp_path: Path, text: bytes, note: str | None) -> None:
    path = tmp_path / "article.md"
    path.write_bytes(text)
    before = snapshot(tmp_path)
    result = run_cli("check", "--isolated", "--fix", str(path))
    assert snapshot(tmp_path) == before
    assert result.code == 1
    if note is None:
        assert result.err == ""
    else:
        assert result.err.startswith(f"fmlint: warning: {path}: {note}")


# --- what the replacement keeps -------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o755, 0o664, 0o2664])
def test_the_file_mode_is_kept(tmp_path: Path, mode: int) -> None:
    folder, _, after = copies(tmp_path, 1)
    [name] = after
    path = folder / name
    os.chmod(path, mode)
    inode = path.stat().st_ino
    run_cli("check", "--isolated", "--fix", str(path))
    assert path.read_bytes() == after[name]
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.stat().st_ino != inode  # replaced, not rewritten in place
    assert sorted(os.listdir(folder)) == [name]  # no temporary file left behind


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_the_owner_is_kept(tmp_path: Path) -> None:
    folder, _, after = copies(tmp_path, 1)
    [name] = after
    os.chown(folder / name, 1234, 5678)
    run_cli("check", "--isolated", "--fix", str(folder))
    info = (folder / name).stat()
    assert ((folder / name).read_bytes(), info.st_uid, info.st_gid) == (after[name], 1234, 5678)


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    """A link named on the command line, to a file of the current folder (the checkout)."""
    folder, _, after = copies(tmp_path, 1)
    [name] = after
    links = tmp_path / "links"
    links.mkdir()
    link = links / "article.md"
    link.symlink_to(os.path.relpath(folder / name, links))
    result = run_cli("check", "--isolated", "--fix", "links/article.md", cwd=tmp_path)
    assert result.code == 0, result.err
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(folder / name, links)
    assert (folder / name).read_bytes() == after[name]
    assert sorted(os.listdir(links)) == ["article.md"] and sorted(os.listdir(folder)) == [name]


def test_a_file_with_hard_links_is_refused(tmp_path: Path) -> None:
    folder, before, _ = copies(tmp_path, 1)
    [name] = before
    os.link(folder / name, tmp_path / "other-name.md")
    result = run_cli("check", "--isolated", "--fix", str(folder / name))
    assert result.code == 1
    assert result.err == (
        f"fmlint: warning: {folder / name}: not fixed: it has 2 hard links, and replacing it would break them\n"
    )
    assert (folder / name).read_bytes() == (tmp_path / "other-name.md").read_bytes() == before[name]
    assert (folder / name).stat().st_ino == (tmp_path / "other-name.md").stat().st_ino
    assert "FM650 [*]" in result.out  # still reported, still fixable


def test_the_replacement_is_synced_renamed_then_the_directory_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _, after = copies(tmp_path, 1)
    [name] = after
    events: list[tuple[str, ...]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(source: str, target: str) -> None:
        events.append(("replace", os.fspath(source), os.fspath(target)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    run_cli("check", "--isolated", "--fix", str(folder / name))
    assert (folder / name).read_bytes() == after[name]
    [(_, temporary), (_, renamed, target), (_, directory)] = events
    assert renamed == temporary and target == str(folder / name)
    assert os.path.dirname(temporary) == str(folder) and TEMPORARY.match(os.path.basename(temporary))
    assert directory == str(folder)


# --- interrupted runs ------------------------------------------------------------------------


def test_killing_a_fix_run_leaves_each_file_old_or_new(tmp_path: Path) -> None:
    """SIGKILL at moments spread over a run: no file is ever half-written."""
    folder, before, after = copies(tmp_path, 80)
    for name in before:  # a long body makes each write long enough for a kill to land inside it
        body = b"A paragraph of the body.\n" * 3000
        before[name] += body
        after[name] += body
        (folder / name).write_bytes(before[name])
    started = time.monotonic()
    subprocess.run([FMLINT, "check", "--isolated", "--fix", "-q", str(folder)], capture_output=True, check=False)
    duration = time.monotonic() - started
    assert {name: (folder / name).read_bytes() for name in before} == after
    partial = 0
    for step in range(6):
        for name, data in before.items():
            (folder / name).write_bytes(data)
        process = subprocess.Popen(
            [FMLINT, "check", "--isolated", "--fix", "-q", str(folder)], stdout=subprocess.DEVNULL
        )
        time.sleep(duration * (0.15 + step / 7))
        process.send_signal(signal.SIGKILL)
        process.wait()
        fixed = 0
        for entry in os.listdir(folder):
            if entry not in before:
                assert TEMPORARY.match(entry), entry  # a killed run may leave its hidden temporary file
                continue
            data = (folder / entry).read_bytes()
            assert data in (before[entry], after[entry]), entry
            fixed += data == after[entry]
        partial += 0 < fixed < len(before)
        rerun = run_cli("check", "--isolated", "--fix", str(folder))  # the next run finishes the job
        assert rerun.code == 0, rerun.out
        assert {name: (folder / name).read_bytes() for name in before} == after
        for entry in os.listdir(folder):
            if entry not in before:
                os.unlink(folder / entry)
    assert partial, "no kill landed in the middle of the run"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_fix_run_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    folder, before, after = copies(tmp_path, 300)
    process = subprocess.Popen([FMLINT, "check", "--isolated", "--fix", "-q", str(folder)], stdout=subprocess.DEVNULL)
    first = min(before)  # files are fixed in order: once the first is done, the run is under way
    while (folder / first).read_bytes() == before[first] and process.poll() is None:
        time.sleep(0.002)
    process.send_signal(signum)
    assert process.wait() in (0, 128 + signum)
    assert sorted(os.listdir(folder)) == sorted(before)
    for name in before:
        assert (folder / name).read_bytes() in (before[name], after[name])


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_file_is_refused(tmp_path: Path) -> None:
    folder, before, _ = copies(tmp_path, 1)
    [name] = before
    os.chmod(folder / name, 0o444)
    result = run_cli("check", "--isolated", "--fix", str(folder / name))
    assert result.code == 1
    assert result.err == f"fmlint: warning: {folder / name}: not fixed: it is read-only\n"
    assert (folder / name).read_bytes() == before[name]


def test_a_file_that_cannot_be_replaced_is_reported_not_crashed_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, before, _ = copies(tmp_path, 1)
    [name] = before

    def replace(source: str, target: str) -> None:  # as in a sticky directory, for a file of another user
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "replace", replace)
    result = run_cli("check", "--isolated", "--fix", str(folder / name))
    assert result.code == 1
    assert result.err == f"fmlint: warning: {folder / name}: not fixed: cannot replace it: Operation not permitted\n"
    assert sorted(os.listdir(folder)) == [name] and (folder / name).read_bytes() == before[name]


def test_a_file_whose_name_is_250_bytes_long_is_fixed(tmp_path: Path) -> None:
    """The temporary file's name is short: a name near the system's limit can still be fixed."""
    folder, _, after = copies(tmp_path, 1)
    [name] = after
    long_name = "a" * 247 + ".md"
    assert len(long_name.encode()) == 250
    if os.pathconf(folder, "PC_NAME_MAX") < 250:  # pragma: no cover - a file system with short names
        pytest.skip("this file system does not allow 250-byte names")
    os.rename(folder / name, folder / long_name)
    result = subprocess.run([FMLINT, "check", "--isolated", "--fix", "."], cwd=folder, capture_output=True, check=False)
    assert (result.returncode, result.stderr) == (0, b"")
    assert (folder / long_name).read_bytes() == after[name]
    assert os.listdir(folder) == [long_name]


# --- another program writing to the file being fixed ---------------------------------------


def leases_work(folder: Path) -> bool:
    """Whether this system gives this process write leases on files in ``folder``."""
    import fcntl

    probe = folder / "lease-probe"
    probe.write_bytes(b"")
    fd = os.open(probe, os.O_RDONLY)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
        probe.unlink()


def without_leases(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a system without leases: only the checks around the rename guard the file."""
    import fmlint.fix.atomic

    monkeypatch.setattr(fmlint.fix.atomic, "fcntl", None)


def writes_at_the_rename(
    monkeypatch: pytest.MonkeyPatch, path: Path, *, old: bytes = b"", new: bytes = b"", before: bool = False
) -> list[int]:
    """At fmlint's first rename, another program appends ``old`` to the file it has open (the one
    being replaced; ``before`` the rename, or right after it) and ``new`` to the file the name
    then leads to. Returns the other program's descriptor, to close."""
    writer = os.open(path, os.O_WRONLY | os.O_APPEND)
    real_replace = os.replace
    calls: list[int] = []

    def replace(source: str, target: str) -> None:
        calls.append(1)
        if len(calls) == 1 and before:
            os.write(writer, old)
        real_replace(source, target)
        if len(calls) == 1 and not before:
            os.write(writer, old)
            if new:
                with open(path, "ab") as other:
                    other.write(new)

    monkeypatch.setattr(os, "replace", replace)
    return [writer]


@pytest.mark.skipif(sys.platform != "linux", reason="leases are Linux's")
def test_a_file_open_for_writing_in_another_program_is_not_replaced(tmp_path: Path) -> None:
    folder, original, _ = copies(tmp_path, 1)
    [name] = original
    path = folder / name
    if not leases_work(folder):  # pragma: no cover - e.g. a network file system
        pytest.skip("no leases on this file system")
    writer = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        result = run_cli("check", "--isolated", "--fix", str(path))
        os.write(writer, b"written by the other program\n")
    finally:
        os.close(writer)
    assert result.code == 1
    assert result.err == f"fmlint: warning: {path}: not fixed: it is open for writing in another program\n"
    assert path.read_bytes() == original[name] + b"written by the other program\n"
    assert os.listdir(folder) == [name]


def test_a_file_another_program_only_reads_is_fixed(tmp_path: Path) -> None:
    folder, _, fixed = copies(tmp_path, 1)
    [name] = fixed
    reader = os.open(folder / name, os.O_RDONLY)  # a viewer or an indexer: it cannot change the file
    try:
        result = run_cli("check", "--isolated", "--fix", str(folder / name))
    finally:
        os.close(reader)
    assert (result.code, result.err) == (0, "")
    assert (folder / name).read_bytes() == fixed[name]


@pytest.mark.skipif(sys.platform != "linux", reason="leases are Linux's")
def test_a_program_that_opens_the_file_during_the_rename_writes_into_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It opens the old file and waits for the lease; fmlint sees it tried, renames the old
    file back, and the write lands in the file, not in a file nobody can see any more."""
    folder, original, _ = copies(tmp_path, 1)
    [name] = original
    path = folder / name
    if not leases_work(folder):  # pragma: no cover - e.g. a network file system
        pytest.skip("no leases on this file system")
    inode = path.stat().st_ino
    real_replace = os.replace
    writers: list[subprocess.Popen[bytes]] = []
    append = "import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND); os.write(fd, b'appended\\n')"

    def replace(source: str, target: str) -> None:
        if not writers:
            writers.append(subprocess.Popen([sys.executable, "-c", append, str(path)]))
            deadline = time.monotonic() + 20
            while f":{inode} " not in Path("/proc/locks").read_text() or "BREAK" not in Path("/proc/locks").read_text():
                assert time.monotonic() < deadline, "the other program never opened the file"
                time.sleep(0.01)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    result = run_cli("check", "--isolated", "--fix", str(path))
    [writer] = writers
    assert writer.wait(timeout=20) == 0
    assert result.err == (
        f"fmlint: warning: {path}: not fixed: it changed while fmlint was fixing it; "
        f"the fix was undone, keeping what was written\n"
    )
    assert path.read_bytes() == original[name] + b"appended\n"
    assert path.stat().st_ino == inode  # the very file the other program opened
    assert os.listdir(folder) == [name]


@pytest.mark.parametrize("hard_links", [True, False], ids=["renamed-back", "copied-back"])
@pytest.mark.parametrize("before", [True, False], ids=["before-the-rename", "after-the-rename"])
def test_without_leases_a_write_at_the_moment_of_the_rename_is_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: bool, hard_links: bool
) -> None:
    folder, original, _ = copies(tmp_path, 1)
    [name] = original
    path = folder / name
    without_leases(monkeypatch)
    if not hard_links:

        def link(*args: object, **kwargs: object) -> None:
            raise PermissionError(1, "Operation not permitted")  # as on a file system without hard links

        monkeypatch.setattr(os, "link", link)
    fds = writes_at_the_rename(monkeypatch, path, old=b"written by another program\n", before=before)
    try:
        result = run_cli("check", "--isolated", "--fix", str(path))
    finally:
        os.close(*fds)
    assert result.code == 1
    assert result.err == (
        f"fmlint: warning: {path}: not fixed: it changed while fmlint was fixing it; "
        f"the fix was undone, keeping what was written\n"
    )
    assert path.read_bytes() == original[name] + b"written by another program\n"
    assert os.listdir(folder) == [name]


def test_when_both_files_were_written_to_both_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, original, fixed = copies(tmp_path, 1)
    [name] = original
    path = folder / name
    without_leases(monkeypatch)
    fds = writes_at_the_rename(monkeypatch, path, old=b"to the old file\n", new=b"to the new file\n")
    try:
        result = run_cli("check", "--isolated", "--fix", str(path))
    finally:
        os.close(*fds)
    [kept] = [entry for entry in os.listdir(folder) if entry != name]
    assert TEMPORARY.match(kept)
    assert result.code == 1
    assert result.err == (
        f"fmlint: warning: {path}: not fixed: it changed while fmlint was fixing it, and again after; "
        f"what it held before is kept in {folder / kept}\n"
    )
    assert path.read_bytes() == fixed[name] + b"to the new file\n"
    assert (folder / kept).read_bytes() == original[name] + b"to the old file\n"


def test_the_hidden_name_a_killed_run_left_is_removed_by_the_next(tmp_path: Path) -> None:
    folder, _, fixed = copies(tmp_path, 1)
    [name] = fixed
    os.link(folder / name, folder / ".fmlint-0123456789abcdef.old")  # as a run killed at the rename leaves it
    result = run_cli("check", "--isolated", "--fix", str(folder / name))
    assert (result.code, result.err) == (0, "")
    assert (folder / name).read_bytes() == fixed[name]
    assert os.listdir(folder) == [name]


def test_appending_while_a_fix_run_replaces_the_files_loses_no_byte(tmp_path: Path) -> None:
    """Another program appends to the files, again and again, while ``--fix`` replaces them.

    Every line it appended must be in its file, in order, after the file as it was or as
    fixed. A few rounds, each one run over the folder, bounded to a few seconds."""
    folder, before, after = copies(tmp_path, 60)
    names = sorted(before)
    deadline = time.monotonic() + 3.0
    rounds = fixed = 0
    while time.monotonic() < deadline or rounds == 0:
        rounds += 1
        for name in names:
            (folder / name).write_bytes(before[name])
        appended: dict[str, list[bytes]] = {name: [] for name in names}
        process = subprocess.Popen(
            [FMLINT, "check", "--isolated", "--fix", "-q", "."],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        count = 0
        while process.poll() is None:
            for name in names:
                line = b"appended line %d\n" % count
                count += 1
                fd = os.open(folder / name, os.O_WRONLY | os.O_APPEND)
                try:
                    os.write(fd, line)
                finally:
                    os.close(fd)
                appended[name].append(line)
                # Paced, so that each file is left alone long enough to be fixed now and then,
                # and each is written to often enough that some fixes meet a write.
                time.sleep(0.0005)
        process.wait()
        for name in names:
            data = (folder / name).read_bytes()
            tail = b"".join(appended[name])
            assert data in (before[name] + tail, after[name] + tail), (rounds, name)
            fixed += data == after[name] + tail
        assert sorted(os.listdir(folder)) == names  # no temporary file left behind
    # Files are fixed even so (not all refused as changed): the rename was raced, not avoided.
    assert fixed, f"no file was fixed in {rounds} rounds"
