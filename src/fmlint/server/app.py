"""The language server: the protocol's notifications and requests, wired to the workspace state.

A change is linted at once (a slow file once its changes pause) and its diagnostics
published, with the cross-file findings last known for the file; the cross-file pass
(tens of milliseconds over a large workspace) runs a moment later, once typing pauses,
and republishes only the open files whose cross-file findings changed. A newer change
supersedes a lint or a pass still waiting, and a settings change a scan under way.
"""

from __future__ import annotations

import asyncio
import logging
import os
import traceback
import uuid
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from fmlint import __version__
from fmlint.server import actions, help, requests
from fmlint.server.convert import Places, TextLines, to_lsp
from fmlint.server.pacing import Pacer
from fmlint.server.state import Folder, State

log = logging.getLogger(__name__)

CROSS_FILE_DELAY = 0.15  # seconds of quiet before the cross-file pass runs again
_CONFIG_NAME = "pyproject.toml"


class FmlintServer(LanguageServer):
    """pygls's server, with the workspace state and error reports the editor can read."""

    def __init__(self) -> None:
        super().__init__("fmlint", __version__)
        self.state = State()
        self.scans: dict[str, asyncio.Task[None]] = {}  # folder root -> its background scan
        self.pending: dict[str, asyncio.TimerHandle] = {}  # folder root -> the cross-file pass waiting
        self.pacer = Pacer()  # when each changed buffer is linted

    def report_server_error(self, error: Exception, source: Any) -> None:
        """An exception in one request or notification: logged for the editor; the server goes on.
        pygls has already answered a failed request with an error response."""
        if requests.superseded(error):
            return  # the buffer changed under the request: the editor asks again, nothing failed
        data = getattr(error, "data", None)
        if isinstance(data, dict) and isinstance(data.get("traceback"), list):
            detail = f"{error}\n" + "".join(str(line) for line in data["traceback"])
        else:
            detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=detail))

    # --- paths and documents ---------------------------------------------------

    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def text_of(self, uri: str) -> str | None:
        document = self.workspace.text_documents.get(uri)
        return None if document is None else document.source

    def lines_of(self, text: str) -> TextLines:
        return TextLines(text, self.encoding())

    def publish(self, path: str, folder: Folder | None = None) -> None:
        uri = uri_of(path)
        text = self.text_of(uri)
        if text is None:
            return  # only open documents get diagnostics
        folder = folder or self.state.folder_of(path)
        lines = self.lines_of(text)
        places = Places(uri_of, self.state.buffers.get, self.encoding())
        diagnostics = [to_lsp(d, lines, places.location) for d in folder.findings(path)]
        version = self.workspace.get_text_document(uri).version
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def changed(self, path: str) -> None:
        """Lint ``path`` again and publish (at once, unless linting it is slow: see :mod:`pacing`),
        and let the cross-file pass follow."""
        self.pacer.run(path, lambda: self.lint_now(path))

    def lint_now(self, path: str) -> None:
        """Lint ``path``'s latest text (its buffer, else the disk), publish, let the cross-file pass follow."""
        try:
            folder = self.state.lint(path)
        except Exception as exc:  # a bug in linting one buffer must not end the server
            self.report_server_error(exc, None)
            return
        self.publish(path, folder)
        self.cross_file_later(folder)

    def cross_file_later(self, folder: Folder) -> None:
        if not folder.scanned:
            return  # the scan runs the cross-file pass when it ends
        waiting = self.pending.pop(folder.root, None)
        if waiting is not None:
            waiting.cancel()  # superseded by this newer change
        loop = asyncio.get_running_loop()
        self.pending[folder.root] = loop.call_later(CROSS_FILE_DELAY, self.cross_file_now, folder)

    def cross_file_now(self, folder: Folder) -> None:
        self.pending.pop(folder.root, None)
        if folder not in self.state.folders:
            return  # reloaded or removed meanwhile
        try:
            changed = folder.run_cross_file()
        except Exception as exc:  # a bug in a cross-file rule must not end the server
            self.report_server_error(exc, None)
            return
        for path in changed:
            self.publish(path, folder)

    # --- the workspace ---------------------------------------------------------

    def start_scan(self, folders: list[Folder]) -> None:
        """Lint each folder in the background. A scan of the same folder still under way is
        superseded (its settings changed): it stops at its next file, and says so."""
        loop = asyncio.get_running_loop()
        for folder in folders:
            self.scans[folder.root] = loop.create_task(self.scan(folder))

    async def scan(self, folder: Folder) -> None:
        """Lint a folder in the background, reporting ``$/progress``, then run the cross-file pass."""
        task = asyncio.current_task()
        token = f"fmlint-scan-{uuid.uuid4().hex}"
        progress = bool(self.client_capabilities.window and self.client_capabilities.window.work_done_progress)
        if progress:
            try:
                await self.work_done_progress.create_async(token)
            except Exception:  # the client refused: scan without telling it
                progress = False
        if progress:
            begin = types.WorkDoneProgressBegin(title="fmlint", message="linting the workspace", percentage=0)
            self.work_done_progress.begin(token, begin)
        ending = "stopped"
        try:
            total = 0
            name = os.path.basename(folder.root) or folder.root
            for done in self.state.scan(folder):
                if self.scans.get(folder.root) is not task:
                    ending = "superseded: the folder's settings changed"
                    return
                if done < 0:
                    total = -done
                elif progress and (done % 50 == 0 or done == total):
                    percentage = done * 100 // total if total else 100
                    report = types.WorkDoneProgressReport(
                        message=f"{done}/{total} files in {name}", percentage=percentage
                    )
                    self.work_done_progress.report(token, report)
                await asyncio.sleep(0)  # answer requests between files
            changed = folder.run_cross_file()
            for path in changed | {path for path in self.state.buffers if folder.contains(path)}:
                self.publish(path, folder)
            ending = f"{total} file{'' if total == 1 else 's'} linted"
        finally:
            if self.scans.get(folder.root) is task:
                del self.scans[folder.root]
            if progress:
                self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=ending))

    def reload(self, folder: Folder) -> None:
        fresh = self.state.reload(folder)
        if fresh.problem:
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=fresh.problem))
        for path in list(self.state.buffers):
            if fresh.contains(path):
                self.state.lint(path)
                self.publish(path, fresh)
        if os.path.isdir(fresh.root):
            self.start_scan([fresh])


server = FmlintServer()


def uri_of(path: str) -> str:
    return from_fs_path(path) or path


def path_of(uri: str) -> str | None:
    path = to_fs_path(uri)
    return os.path.abspath(path) if path else None


@server.feature(types.INITIALIZED)
def initialized(ls: FmlintServer, params: types.InitializedParams) -> None:
    roots = [path_of(folder.uri) for folder in ls.workspace.folders.values()]
    if not roots and ls.workspace.root_path:
        roots = [ls.workspace.root_path]
    folders = [ls.state.add_folder(root) for root in roots if root and os.path.isdir(root)]
    for folder in folders:
        if folder.problem:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=folder.problem))
    watch = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
    if watch and watch.dynamic_registration:
        watchers = [types.FileSystemWatcher(glob_pattern="**/*")]
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        registration = types.Registration(
            id="fmlint-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        ls.client_register_capability(types.RegistrationParams(registrations=[registration]))
    ls.start_scan(folders)


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def folders_changed(ls: FmlintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for gone in params.event.removed:
        root = path_of(gone.uri)
        if root:
            ls.state.remove_folder(root)
    added = [ls.state.add_folder(root) for root in map(path_of, (f.uri for f in params.event.added)) if root]
    ls.start_scan(added)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: FmlintServer, params: types.DidOpenTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    if path is not None:
        ls.state.buffers[path] = params.text_document.text
        ls.changed(path)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: FmlintServer, params: types.DidChangeTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    text = ls.text_of(params.text_document.uri)
    if path is not None and text is not None:
        ls.state.buffers[path] = text
        ls.changed(path)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: FmlintServer, params: types.DidSaveTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    if path is None:
        return
    if os.path.basename(path) == _CONFIG_NAME:
        ls.reload(ls.state.folder_of(path))
    elif path in ls.state.buffers:
        ls.changed(path)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: FmlintServer, params: types.DidCloseTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    if path is None:
        return
    ls.state.buffers.pop(path, None)
    ls.pacer.forget(path)
    ls.state.lint(path)  # back to the file on disk, for the cross-file pass
    ls.cross_file_later(ls.state.folder_of(path))
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def files_changed(ls: FmlintServer, params: types.DidChangeWatchedFilesParams) -> None:
    touched: dict[str, Folder] = {}
    for change in params.changes:
        path = path_of(change.uri)
        if path is None:
            continue
        if os.path.basename(path) == _CONFIG_NAME:
            for folder in list(ls.state.folders):
                if _governs(path, folder):
                    ls.reload(folder)
            continue
        if path in ls.state.buffers or not any(folder.contains(path) for folder in ls.state.folders):
            continue  # the open buffer is newer than the disk; a file outside the folders is not ours
        folder = ls.state.lint(path)
        touched[folder.root] = folder
    for folder in touched.values():
        ls.cross_file_later(folder)


def _governs(config: str, folder: Folder) -> bool:
    """Whether the ``pyproject.toml`` at ``config`` is (or may now be) the one of ``folder``:
    its own, or one in the folder's root or above it (a nearer one may have appeared)."""
    where = os.path.dirname(config)
    return config == folder.profile.config_path or folder.root == where or folder.root.startswith(where + os.sep)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND], resolve_provider=False
    ),
)
async def code_action(ls: FmlintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    path = path_of(params.text_document.uri)
    text = ls.text_of(params.text_document.uri)
    if path is None or text is None:
        return None
    folder = ls.state.folder_of(path)
    lines = ls.lines_of(text)
    steps = actions.code_action_steps(folder, path, params.text_document.uri, text, lines, params)
    return await requests.gather(steps, lambda: ls.text_of(params.text_document.uri) != text)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: FmlintServer, params: types.HoverParams) -> types.Hover | None:
    path = path_of(params.text_document.uri)
    text = ls.text_of(params.text_document.uri)
    if path is None or text is None:
        return None
    return help.hover(ls.state.folder_of(path), path, ls.lines_of(text), params.position)


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", ":"]))
def completion(ls: FmlintServer, params: types.CompletionParams) -> types.CompletionList | None:
    path = path_of(params.text_document.uri)
    text = ls.text_of(params.text_document.uri)
    if path is None or text is None:
        return None
    return help.completion(ls.state.folder_of(path), path, ls.lines_of(text), params.position)
