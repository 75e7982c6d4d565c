"""Position encodings: whichever one the client and the server agree on (UTF-8, UTF-16 or UTF-32),
every position the server sends and every position it reads counts in it.

The article has accented letters and an emoji (two UTF-16 units, four UTF-8 bytes) before
each finding, before a key's colon and before the other file's URL, so a column counted in
the wrong units lands elsewhere. The expected positions are counted here from the characters
``fmlint check`` reports, by this module's own arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_support import ENV, SERVER, check_json, diagnostics_of, open_file, scanned, uri

pytestmark = pytest.mark.asyncio

SCHEMA = """{
  "type": "object",
  "required": ["title"],
  "properties": {
    "title": {"type": "string"},
    "webUrl": {"type": "string"},
    "Grüße 😀": {"enum": ["ja", "nein"], "description": "Whether to greet."}
  }
}
"""
ARTICLE = '---\ntitle: "😀 Grüße  "\n"Grüße 😀": vielleicht\nwebUrl: "https://example.com/same"\n---\nBody.\n'
TWIN = '---\n{title: "Zwilling 😀", webUrl: "https://example.com/same"}\n---\n'

UNITS: dict[str, Callable[[str], int]] = {
    "utf-8": lambda text: len(text.encode("utf-8")),
    "utf-16": lambda text: len(text.encode("utf-16-le")) // 2,
    "utf-32": len,
}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def client(lsp_client: LanguageClient) -> object:
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        pass  # the file watcher: the tests change no file on disk

    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "posts").mkdir(parents=True)
    (root / "schema.json").write_text(SCHEMA, encoding="utf-8")
    (root / "pyproject.toml").write_text('[tool.fmlint]\nschema = "schema.json"\n', encoding="utf-8")
    (root / "posts" / "first.md").write_text(ARTICLE, encoding="utf-8")
    (root / "posts" / "twin.md").write_text(TWIN, encoding="utf-8")
    return root


class Units:
    """Positions of a text counted in one encoding's units."""

    def __init__(self, text: str, encoding: str) -> None:
        self.lines = text.split("\n")
        self.count = UNITS[encoding]

    def at(self, line: int, column: int) -> types.Position:
        """The position of 1-based ``line`` and character ``column``."""
        return types.Position(line=line - 1, character=self.count(self.lines[line - 1][: column - 1]))

    def offset(self, text: str, position: types.Position) -> int:
        row = self.lines[position.line]
        column = 0
        while column < len(row) and self.count(row[:column]) < position.character:
            column += 1
        assert self.count(row[:column]) == position.character, "a position inside a character"
        return sum(len(line) + 1 for line in self.lines[: position.line]) + column

    def apply(self, text: str, edits: list[types.TextEdit]) -> str:
        for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            start, end = self.offset(text, edit.range.start), self.offset(text, edit.range.end)
            text = text[:start] + edit.new_text + text[end:]
        return text


async def start(client: LanguageClient, site: Path, offered: list[str] | None) -> str:
    capabilities = client_capabilities("visual-studio-code")
    general = capabilities.general or types.GeneralClientCapabilities()
    general.position_encodings = offered  # type: ignore[assignment]
    capabilities.general = general
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            workspace_folders=[types.WorkspaceFolder(uri=uri(site), name=site.name)],
            root_uri=uri(site),
        )
    )
    await scanned(client)
    return str(result.capabilities.position_encoding)


ENCODINGS = [
    pytest.param(["utf-8"], "utf-8", id="utf-8"),
    pytest.param(["utf-32"], "utf-32", id="utf-32"),
    pytest.param(None, "utf-16", id="default-utf-16"),
    pytest.param(["utf-8", "utf-32", "utf-16"], "utf-8", id="the-client-s-first-choice"),
]


@pytest.mark.parametrize(("offered", "encoding"), ENCODINGS)
async def test_ranges_and_related_places(client: LanguageClient, site: Path, offered: list[str], encoding: str) -> None:
    assert await start(client, site, offered) == encoding
    path = site / "posts" / "first.md"
    published = await open_file(client, path)
    expected = [item for item in check_json(site / "posts", site) if item["path"] == str(path)]
    first, twin = Units(ARTICLE, encoding), Units(TWIN, encoding)
    assert [d.code for d in published] == [e["code"] for e in expected] == ["FM650", "FM204", "FM701"]
    for got, want in zip(published, expected, strict=True):
        begin = first.at(want["line"], want["column"])
        assert got.range == types.Range(start=begin, end=first.at(want["end_line"], want["end_column"]))
    # The finding after the emoji is where the encoding puts it, and nowhere else.
    value = published[1].range.start
    assert value.character == {"utf-8": 16, "utf-16": 12, "utf-32": 11}[encoding]
    (other,) = published[2].related_information or []
    (place,) = expected[2]["related"]
    assert other.location.uri == uri(site / "posts" / "twin.md")
    assert other.location.range == types.Range(
        start=twin.at(place["line"], place["column"]), end=twin.at(place["end_line"], place["end_column"])
    )
    assert other.location.range.start.character == {"utf-8": 33, "utf-16": 31, "utf-32": 30}[encoding]


@pytest.mark.parametrize(("offered", "encoding"), ENCODINGS)
async def test_positions_from_the_client(client: LanguageClient, site: Path, offered: list[str], encoding: str) -> None:
    await start(client, site, offered)
    path = site / "posts" / "first.md"
    published = await open_file(client, path)
    units = Units(ARTICLE, encoding)
    document = types.TextDocumentIdentifier(uri=uri(path))

    async def hover(character: int) -> str:
        found = await client.text_document_hover_async(
            types.HoverParams(text_document=document, position=types.Position(line=2, character=character))
        )
        return found.contents.value if found is not None and isinstance(found.contents, types.MarkupContent) else ""

    value = published[1].range.start.character  # where `vielleicht` starts, in the encoding's units
    assert "FM204 invalid-value" in await hover(value)
    assert "FM204" not in await hover(value - 1)

    async def complete(character: int) -> list[str] | None:
        found = await client.text_document_completion_async(
            types.CompletionParams(text_document=document, position=types.Position(line=2, character=character))
        )
        assert found is None or isinstance(found, types.CompletionList)
        return None if found is None else [item.label for item in found.items]

    colon = units.at(3, len('"Grüße 😀":') + 1).character  # just after the key's colon
    assert await complete(colon) == ["ja", "nein"]
    assert await complete(colon - 1) is None  # on the key: its name is not completed again

    async def actions(diagnostic: types.Diagnostic) -> list[types.CodeAction]:
        found = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=document,
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        return [action for action in found or [] if isinstance(action, types.CodeAction)]

    fix = next(a for a in await actions(published[0]) if a.is_preferred)
    assert fix.edit is not None and fix.edit.changes is not None
    fixed = units.apply(ARTICLE, fix.edit.changes[uri(path)])
    assert fixed == ARTICLE.replace('"😀 Grüße  "', '"😀 Grüße"')
    ignore = next(a for a in await actions(published[1]) if a.title == "Ignore FM204 on this line")
    assert ignore.edit is not None and ignore.edit.changes is not None
    ignored = units.apply(ARTICLE, ignore.edit.changes[uri(path)])
    assert '"Grüße 😀": vielleicht  # fmlint: ignore[FM204]\n' in ignored

    # An incremental change, its range in the encoding's units: `vielleicht` becomes `ja`.
    end = types.Position(line=2, character=value + len("vielleicht"))
    client.diagnostics.pop(uri(path), None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=2, character=value), end=end), text="ja"
                )
            ],
        )
    )
    after = await diagnostics_of(client, path)
    assert [d.code for d in after] == ["FM650", "FM701"]
    assert after[0].range == published[0].range
