"""``fmlint server`` driven by a real LSP client over stdio (pytest-lsp): every feature."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_support import (
    ARTICLE,
    ENV,
    SERVER,
    apply_edits,
    change,
    check_json,
    diagnostics_of,
    open_file,
    scanned,
    start,
    uri,
)

pytestmark = pytest.mark.asyncio


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def client(lsp_client: LanguageClient) -> object:
    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "posts").mkdir(parents=True)
    (root / "posts" / "first.md").write_text(ARTICLE.format(name="first"), encoding="utf-8")
    return root


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_diagnostics_on_open_are_those_of_check(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    path = workspace / "posts" / "first.md"
    published = await open_file(client, path)
    expected = check_json(path, workspace)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert [d.code for d in published] == [e["code"] for e in expected]
    assert {"FM204", "FM650"} <= {d.code for d in published}
    for got, want in zip(published, expected, strict=True):
        line = lines[want["line"] - 1]
        assert got.message == want["message"]
        assert got.source == "fmlint"
        assert got.data["rule"] == want["rule"]
        assert got.severity == (
            types.DiagnosticSeverity.Error if want["severity"] == "error" else types.DiagnosticSeverity.Warning
        )
        assert got.range.start == types.Position(line=want["line"] - 1, character=_utf16(line[: want["column"] - 1]))
        end_line = lines[want["end_line"] - 1]
        assert got.range.end.character == _utf16(end_line[: want["end_column"] - 1])
    # The emoji before the domain counts two UTF-16 units: the range is not the character column.
    domain = next(d for d in published if d.data["pointer"] == "/provider/domain")
    row = lines[domain.range.start.line]
    assert row[: row.index('"not a domain"')].count("😀") == 1
    assert domain.range.start.character == _utf16(row[: row.index('"not a domain"')])


async def test_change_and_save_republish(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    path = workspace / "posts" / "first.md"
    text = path.read_text(encoding="utf-8")
    await open_file(client, path)
    fixed = text.replace("type: vidoe", "type: video")
    after = await change(client, path, fixed, 2)
    assert "FM204" not in {d.code for d in after}
    assert "FM650" in {d.code for d in after}
    client.diagnostics.pop(uri(path), None)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri(path)))
    )
    saved = await diagnostics_of(client, path)
    assert [d.code for d in saved] == [d.code for d in after]


async def test_workspace_scan_reports_progress_and_cross_file_findings(client: LanguageClient, workspace: Path) -> None:
    twin = workspace / "posts" / "twin.md"
    twin.write_text(ARTICLE.format(name="first"), encoding="utf-8")  # the same webUrl: a duplicate
    await start(client, workspace)
    await scanned(client)
    kinds = [type(report).__name__ for reports in client.progress_reports.values() for report in reports]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    published = await open_file(client, workspace / "posts" / "first.md")
    duplicate = next(d for d in published if d.code == "FM701")
    assert duplicate.related_information is not None
    assert duplicate.related_information[0].location.uri == uri(twin)
    assert "is also the URL of twin.md (line 4, `webUrl`)" in duplicate.message
    (other,) = duplicate.related_information
    url = '"https://example.com/first"'
    assert other.location.range == types.Range(  # the twin's webUrl value, as the twin's own finding has it
        start=types.Position(line=3, character=8), end=types.Position(line=3, character=8 + len(url))
    )
    assert other.message == "the same article: `webUrl` https://example.com/first"
    # Kept current: once the twin's URL changes on disk, the duplicate goes.
    twin.write_text(ARTICLE.format(name="twin"), encoding="utf-8")
    client.diagnostics.pop(uri(workspace / "posts" / "first.md"), None)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri(twin), type=types.FileChangeType.Changed)])
    )
    again = await diagnostics_of(client, workspace / "posts" / "first.md")
    assert "FM701" not in {d.code for d in again}


async def _actions(
    client: LanguageClient, path: Path, line: int, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            range=types.Range(
                start=types.Position(line=line, character=0), end=types.Position(line=line, character=80)
            ),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return [action for action in result or [] if isinstance(action, types.CodeAction)]


async def test_quick_fix_changes_only_the_value(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    path = workspace / "posts" / "first.md"
    text = path.read_text(encoding="utf-8")
    await open_file(client, path)
    actions = await _actions(client, path, 1)
    fix = next(a for a in actions if a.diagnostics and a.diagnostics[0].code == "FM650" and a.is_preferred)
    assert fix.edit is not None and fix.edit.changes is not None
    edits = fix.edit.changes[uri(path)]
    assert all(edit.range.start.line == 1 and edit.range.end.line == 1 for edit in edits)
    assert all(edit.range.start.character >= len('title: "') for edit in edits)  # the key is left alone
    new_text = apply_edits(text, edits)
    assert 'title: "An article"' in new_text
    after = await change(client, path, new_text, 2)
    assert "FM650" not in {d.code for d in after}


async def test_fix_all(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    path = workspace / "posts" / "first.md"
    text = path.read_text(encoding="utf-8")
    await open_file(client, path)
    actions = await _actions(client, path, 0, only=["source.fixAll.fmlint"])
    assert [a.kind for a in actions] == ["source.fixAll.fmlint"]
    assert actions[0].title == "Fix all fmlint problems"
    assert actions[0].edit is not None and actions[0].edit.changes is not None
    new_text = apply_edits(text, actions[0].edit.changes[uri(path)])
    after = await change(client, path, new_text, 2)
    assert "FM650" not in {d.code for d in after}
    assert new_text.endswith("Body text.\n")


@pytest.mark.parametrize(
    ("title", "comment"),
    [
        ("Ignore FM204 on this line", "# fmlint: ignore[FM204]"),
        ("Disable FM204 for this file", "# fmlint: disable-file[FM204]"),
    ],
)
async def test_suppression_actions(client: LanguageClient, workspace: Path, title: str, comment: str) -> None:
    await start(client, workspace)
    path = workspace / "posts" / "first.md"
    text = path.read_text(encoding="utf-8")
    await open_file(client, path)
    actions = await _actions(client, path, 4)  # the `type: vidoe` line
    action = next(a for a in actions if a.title == title)
    assert action.edit is not None and action.edit.changes is not None
    new_text = apply_edits(text, action.edit.changes[uri(path)])
    assert comment in new_text
    after = await change(client, path, new_text, 2)
    assert "FM204" not in {d.code for d in after}
    assert not {"FM901", "FM903"} & {d.code for d in after}


async def test_hover_on_field_and_on_diagnostic(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    path = workspace / "posts" / "first.md"
    await open_file(client, path)
    field = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)), position=types.Position(line=2, character=3)
        )
    )
    assert field is not None and isinstance(field.contents, types.MarkupContent)
    assert "**publishedDateTime**" in field.contents.value
    assert "RFC 3339" in field.contents.value and "date-time" in field.contents.value
    rule = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)), position=types.Position(line=4, character=8)
        )
    )
    assert rule is not None and isinstance(rule.contents, types.MarkupContent)
    assert "FM204 invalid-value" in rule.contents.value
    assert '`"video"`' in rule.contents.value  # the field's allowed values, beside the rule's docs


async def _complete(client: LanguageClient, path: Path, line: int, character: int) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            position=types.Position(line=line, character=character),
        )
    )
    assert isinstance(result, types.CompletionList)
    return result.items


async def test_completion_of_fields_and_values(client: LanguageClient, workspace: Path) -> None:
    await start(client, workspace)
    path = workspace / "posts" / "second.md"
    text = '---\ntitle: "A"\ntype: \nprovider:\n  name: X\n  \n\n---\n'
    await open_file(client, path, text)
    root = {item.label: item for item in await _complete(client, path, 6, 0)}
    assert "title" not in root and "provider" not in root  # already there
    assert {"webUrl", "publishedDateTime", "excerpt"} <= root.keys()
    assert isinstance(root["webUrl"].documentation, types.MarkupContent)
    assert "canonical web address" in root["webUrl"].documentation.value
    nested = {item.label for item in await _complete(client, path, 5, 2)}
    assert "domain" in nested and "name" not in nested and "title" not in nested
    values = [item.label for item in await _complete(client, path, 2, 6)]
    assert values == ["article", "video"]


COURSE_SCHEMA = """{
  "type": "object",
  "required": ["title", "price"],
  "additionalProperties": false,
  "properties": {
    "title": {"type": "string"},
    "price": {"type": "string", "description": "What the course costs, such as Free."},
    "levels": {"type": "array", "items": {"enum": ["Beginner", "Intermediate", "Advanced"]}}
  }
}"""


async def test_each_file_is_described_by_its_own_schema(client: LanguageClient, workspace: Path) -> None:
    """Diagnostics, hover and completion follow [tool.fmlint.schemas] and a file's own `$schema`."""
    (workspace / "schemas").mkdir()
    (workspace / "schemas" / "course.json").write_text(COURSE_SCHEMA, encoding="utf-8")
    (workspace / "pyproject.toml").write_text(
        '[tool.fmlint.schemas]\n"courses/" = "schemas/course.json"\n', encoding="utf-8"
    )
    await start(client, workspace)
    course = workspace / "courses" / "intro.md"
    found = await open_file(client, course, '---\ntitle: "Intro"\nprize: Free\n\n---\n')
    assert [(d.code, d.range.start.line) for d in found] == [("FM201", 0), ("FM205", 2)]
    fields = {item.label for item in await _complete(client, course, 3, 0)}
    assert fields == {"price", "levels"}  # the course's fields, not the article's
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(course)), position=types.Position(line=1, character=2)
        )
    )
    assert hover is None or "RFC 3339" not in str(hover.contents)
    own = workspace / "posts" / "guest.md"  # the article folder, but its `$schema` names the course
    await open_file(client, own, '---\n$schema: ../schemas/course.json\ntitle: "Guest"\nprice: Free\n\n---\n')
    assert {item.label for item in await _complete(client, own, 4, 0)} == {"levels"}
    described = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(own)), position=types.Position(line=3, character=2)
        )
    )
    assert described is not None and "What the course costs" in str(described.contents)


async def test_settings_from_pyproject_and_reload(client: LanguageClient, workspace: Path) -> None:
    config = workspace / "pyproject.toml"
    config.write_text('[tool.fmlint]\nignore = ["FM204"]\n', encoding="utf-8")
    await start(client, workspace)
    path = workspace / "posts" / "first.md"
    first = await open_file(client, path)
    assert "FM204" not in {d.code for d in first}
    config.write_text('[tool.fmlint]\nignore = ["FM650"]\n', encoding="utf-8")
    client.diagnostics.pop(uri(path), None)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri(config), type=types.FileChangeType.Changed)])
    )
    again = await diagnostics_of(client, path)
    assert "FM204" in {d.code for d in again} and "FM650" not in {d.code for d in again}


async def test_several_folders_keep_their_own_settings(client: LanguageClient, tmp_path: Path) -> None:
    quiet, loud = tmp_path / "quiet", tmp_path / "loud"
    for folder in (quiet, loud):
        folder.mkdir()
        (folder / "a.md").write_text(ARTICLE.format(name=folder.name), encoding="utf-8")
    (quiet / "pyproject.toml").write_text('[tool.fmlint]\nper-file-ignores = {"a.md" = ["FM204"]}\n')
    await start(client, quiet, loud)
    assert "FM204" not in {d.code for d in await open_file(client, quiet / "a.md")}
    assert "FM204" in {d.code for d in await open_file(client, loud / "a.md")}


async def test_a_bad_config_is_shown_not_fatal(client: LanguageClient, workspace: Path) -> None:
    (workspace / "pyproject.toml").write_text('[tool.fmlint]\nselekt = ["FM2"]\n', encoding="utf-8")
    await start(client, workspace)
    published = await open_file(client, workspace / "posts" / "first.md")
    assert "FM204" in {d.code for d in published}  # the defaults meanwhile
    for _ in range(200):
        if client.messages:
            break
        await asyncio.sleep(0.01)
    assert any("unknown key `selekt`" in message.message for message in client.messages)


async def test_folders_added_later_and_closed_files(client: LanguageClient, workspace: Path, tmp_path: Path) -> None:
    await start(client, workspace)
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text('[tool.fmlint]\nignore = ["FM650"]\n', encoding="utf-8")
    (other / "b.md").write_text(ARTICLE.format(name="b"), encoding="utf-8")
    client.progress_reports.clear()
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=uri(other), name="other")], removed=[]
            )
        )
    )
    await scanned(client)
    published = await open_file(client, other / "b.md")
    assert "FM650" not in {d.code for d in published} and "FM204" in {d.code for d in published}
    client.diagnostics.pop(uri(other / "b.md"), None)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri(other / "b.md")))
    )
    assert await diagnostics_of(client, other / "b.md") == []  # a closed file's diagnostics are cleared


async def test_an_excluded_file_gets_no_diagnostics(client: LanguageClient, workspace: Path) -> None:
    (workspace / "pyproject.toml").write_text('[tool.fmlint]\nexclude = ["drafts"]\n', encoding="utf-8")
    draft = workspace / "drafts" / "wip.md"
    draft.parent.mkdir()
    draft.write_text(ARTICLE.format(name="wip"), encoding="utf-8")
    await start(client, workspace)
    assert await open_file(client, draft) == []


async def test_a_settings_change_supersedes_the_scan_under_way(client: LanguageClient, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(Path(__file__).parent / "corpus" / "powerapps", root)
    count = len(list(root.glob("*.md")))
    await start(client, root, wait=False)
    (root / "pyproject.toml").write_text('[tool.fmlint]\nignore = ["FM650"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(root / "pyproject.toml"), type=types.FileChangeType.Created)]
        )
    )
    await scanned(client, count=2)
    ends = [
        report.message
        for reports in client.progress_reports.values()
        for report in reports
        if isinstance(report, types.WorkDoneProgressEnd)
    ]
    assert sorted(ends) == [f"{count} files linted", "superseded: the folder's settings changed"]
