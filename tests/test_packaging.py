"""The wheel built from this repository: it carries the schemas and works without the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    (built,) = out.glob("fmlint-*.whl")
    return built


def test_the_wheel_carries_the_schemas_of_the_repository(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            Path(name).name: archive.read(name) for name in archive.namelist() if name.startswith("fmlint/schemas/")
        }
    expected = {path.name: path.read_bytes() for path in (REPO / "schemas").glob("*.json")}
    assert expected and shipped == expected


def test_the_wheel_carries_the_metaschemas_a_schema_may_refer_to(wheel: Path) -> None:
    folder = "fmlint/schema/metaschemas/"
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name[len(folder) :] for name in archive.namelist() if name.startswith(folder)}
    expected = {path.name for path in (REPO / "src" / folder).iterdir()}
    assert {"draft4.json", "draft7.json", "draft202012.json", "COPYING"} <= expected
    assert shipped == expected


def test_the_installed_wheel_works_without_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for seed in SEEDS.iterdir():
        (elsewhere / seed.name).write_bytes(seed.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(target)}

    def fmlint(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "import sys, fmlint.cli; sys.exit(fmlint.cli.main())", *args]
        return subprocess.run(command, cwd=elsewhere, env=env, capture_output=True, text=True, check=False)

    where = fmlint("--version")
    located = subprocess.run(
        [sys.executable, "-c", "import fmlint; print(fmlint.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert located.stdout.startswith(str(target)), "the test must run the installed copy, not the checkout"
    assert where.returncode == 0
    schema = fmlint("schema", "article")
    assert json.loads(schema.stdout)["$id"] == json.loads((REPO / "schemas" / "article.schema.json").read_text())["$id"]
    checked = fmlint("check", "--isolated", "--output-format", "json", ".")
    assert checked.returncode == 1, checked.stderr
    assert [(entry["path"], entry["code"]) for entry in json.loads(checked.stdout)] == [
        ("004_b1500ae77caaef15.txt", "FM001")
    ]
