"""End to end with a real editor: headless Neovim starts ``fmlint server`` and shows its diagnostics."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_support import ARTICLE, NOW, check_json

NVIM = shutil.which("nvim")

# Neovim 0.7 (Debian 12's) has no vim.lsp.start yet: start_client and buf_attach_client do the same.
SCRIPT = """
vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.ARTICLE))
local id = vim.lsp.start_client({
  name = 'fmlint',
  cmd = { vim.env.PYTHON, '-m', 'fmlint', 'server' },
  root_dir = vim.env.ROOT,
})
vim.lsp.buf_attach_client(0, id)
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local found = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(found, {
    lnum = d.lnum, col = d.col, severity = d.severity, message = d.message,
    source = d.source, code = d.code or lsp.code,
  })
end
local out = io.open(vim.env.OUT, 'w')
out:write(vim.fn.json_encode(found))
out:close()
vim.cmd('qa!')
"""


@pytest.mark.skipif(NVIM is None and os.environ.get("CI") != "true", reason="Neovim is not installed")
def test_neovim_shows_the_diagnostics_of_check(tmp_path: Path) -> None:
    assert NVIM is not None, "CI installs Neovim (.ci/run): it must be there"
    article = tmp_path / "article.md"
    article.write_text(ARTICLE.format(name="article"), encoding="utf-8")
    script, out = tmp_path / "run.lua", tmp_path / "found.json"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "FMLINT_NOW": NOW,
        "ARTICLE": str(article),
        "PYTHON": sys.executable,
        "ROOT": str(tmp_path),
        "OUT": str(out),
    }
    subprocess.run(
        [NVIM, "--headless", "--clean", "-n", "-c", f"luafile {script}"],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=90,
        check=False,
    )
    found = json.loads(out.read_text(encoding="utf-8"))
    expected = check_json(article, tmp_path)
    assert sorted((d["lnum"] + 1, d["code"], d["message"]) for d in found) == sorted(
        (e["line"], e["code"], e["message"]) for e in expected
    )
    assert {d["source"] for d in found} == {"fmlint"}
    assert any(d["code"] == "FM204" and d["severity"] == 1 for d in found)  # an error, as Neovim counts
