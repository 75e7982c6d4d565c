"""Defects injected into copies of real articles are reported at the right field and line.

Each test copies real files (from the corpus, and the seed that has related links)
into a temporary folder, edits one of them as a person would, lints the folder
through the real entry point and checks the finding: code, JSON pointer and line.
The untouched copies must stay clean of the rule concerned.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, VALID_SEED, run_cli

# A published article (quality 97, heat 97) and an unpublished one (quality 37, heat 37).
PUBLISHED = "2021-05-05-microsoft-fleshes-out-power-apps.md"
UNPUBLISHED = "2021-02-04-powershell-support-for-power-apps.md"
SEED = VALID_SEED.name  # the real record with seven related links


def copy(tmp_path: Path, names: list[str]) -> None:
    for name in names:
        source = VALID_SEED if name == SEED else CORPUS / name
        shutil.copyfile(source, tmp_path / name)


def edit(path: Path, old: str, new: str) -> str:
    """Replace the one occurrence of ``old``; return the text of the line holding the edit."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return new


def line_of(path: Path, fragment: str, start: int = 1) -> int:
    """The 1-based number of the first line at or after ``start`` that contains ``fragment``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if number >= start and fragment in line)


def lint(tmp_path: Path, *args: str) -> list[tuple[str, str, str, int]]:
    result = run_cli("check", "--isolated", "--output-format", "json", *args, ".", cwd=tmp_path)
    assert result.err == ""
    return [(e["path"], e["code"], e["pointer"], e["line"]) for e in json.loads(result.out)]


def some_corpus_files(count: int) -> list[str]:
    """``count`` real articles spread over the corpus, none of them a known duplicate pair."""
    names = sorted(path.name for path in CORPUS.iterdir())
    return names[1 : count * 20 : 20]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy(tmp_path, [PUBLISHED, UNPUBLISHED, SEED])
    return tmp_path


# Quality and heat: the schema's type and range errors


@pytest.mark.parametrize(
    ("old", "new", "code", "pointer"),
    [
        ("quality: 97", "quality: -5", "FM203", "/quality"),
        ("quality: 97", 'quality: "high"', "FM202", "/quality"),
        ("quality: 97", "quality: 43.5", "FM202", "/quality"),
        ("quality: 97", "quality: true", "FM202", "/quality"),
        ("heat: 97", "heat: -7", "FM203", "/heat"),
        ("heat: 97", "heat: 2.5", "FM202", "/heat"),
        ("heat: 97", "heat: 97.0", "FM502", "/heat"),
    ],
)
def test_score_of_the_wrong_type_or_range(folder: Path, old: str, new: str, code: str, pointer: str) -> None:
    path = folder / PUBLISHED
    edit(path, old, new)
    assert lint(folder) == [(PUBLISHED, code, pointer, line_of(path, new))]


def test_published_article_whose_heat_was_never_computed(folder: Path) -> None:
    path = folder / PUBLISHED
    edit(path, "heat: 97", "heat: -1")
    assert lint(folder) == [(PUBLISHED, "FM503", "/heat", line_of(path, "heat: -1"))]


def test_unpublished_article_without_heat_is_fine(folder: Path) -> None:
    edit(folder / UNPUBLISHED, "heat: 37", "heat: -1")
    assert lint(folder) == []


def test_low_quality_article_published_when_the_rule_is_selected(folder: Path) -> None:
    path = folder / UNPUBLISHED  # quality 37, below the corpus's publishing threshold of 70
    edit(path, "published: false", "published: true")
    assert lint(folder) == []
    assert lint(folder, "--extend-select", "FM504") == [(UNPUBLISHED, "FM504", "/quality", line_of(path, "quality:"))]


# Odd values


def test_score_beyond_the_bound(folder: Path) -> None:
    path = folder / UNPUBLISHED
    edit(path, "quality: 37", "quality: 100000")
    assert lint(folder) == [(UNPUBLISHED, "FM501", "/quality", line_of(path, "quality: 100000"))]


def test_outlier_among_real_articles(tmp_path: Path) -> None:
    names = some_corpus_files(30)
    copy(tmp_path, names)
    assert lint(tmp_path, "--ignore", "FM650") == []  # some real excerpts have stray whitespace
    path = tmp_path / names[7]
    old = next(line for line in path.read_text().splitlines() if line.startswith("quality: "))
    edit(path, old + "\n", "quality: 900\n")
    result = run_cli("check", "--ignore", "FM650", "--output-format", "json", ".", cwd=tmp_path)
    [entry] = json.loads(result.out)
    assert (entry["path"], entry["code"], entry["pointer"], entry["line"]) == (
        names[7],
        "FM501",
        "/quality",
        line_of(path, "quality: 900"),
    )
    assert "far above the other values of this run: median" in entry["message"]


def test_related_links_score_beyond_the_bound(folder: Path) -> None:
    path = folder / SEED
    edit(path, "quality: 106", "quality: 100000")
    assert lint(folder) == [(SEED, "FM501", "/related/0/quality", line_of(path, "quality: 100000"))]


def test_related_links_score_of_the_wrong_type(folder: Path) -> None:
    path = folder / SEED
    edit(path, "quality: 92", "quality: -5")
    assert lint(folder) == [(SEED, "FM203", "/related/1/quality", line_of(path, "quality: -5"))]


# Secured


@pytest.mark.parametrize(
    ("cut", "part"),
    [(";", "the first part (the encrypted payload)"), ('=="\n', "the second part (the initialisation vector)")],
)
def test_secured_with_a_truncated_part(folder: Path, cut: str, part: str) -> None:
    path = folder / PUBLISHED
    text = path.read_text()
    secured = next(line for line in text.splitlines() if line.startswith("secured: "))
    at = secured.index(cut.rstrip("\n")) if cut == ";" else len(secured) - 3
    broken = secured[: at - 8] + secured[at:]  # eight characters fewer before the cut
    edit(path, secured, broken)
    result = run_cli("check", "--output-format", "json", ".", cwd=folder)
    [entry] = json.loads(result.out)
    assert (entry["path"], entry["code"], entry["pointer"], entry["line"]) == (
        PUBLISHED,
        "FM601",
        "/secured",
        line_of(path, "secured: "),
    )
    assert entry["message"].startswith(part)


def test_secured_without_its_initialisation_vector(folder: Path) -> None:
    path = folder / UNPUBLISHED
    secured = next(line for line in path.read_text().splitlines() if line.startswith("secured: "))
    edit(path, secured, secured[: secured.index(";")] + '"')
    assert lint(folder) == [(UNPUBLISHED, "FM601", "/secured", line_of(path, "secured: "))]


# Related links


def related_blocks(path: Path) -> list[str]:
    """The text of each entry of the ``related`` list, as written."""
    text = path.read_text(encoding="utf-8")
    body = text[text.index("related:\n") + len("related:\n") : text.index("\nsecured:")]
    starts = [
        index for index in range(len(body)) if body.startswith("  - ", index) and (not index or body[index - 1] == "\n")
    ]
    return [body[start:end] for start, end in zip(starts, [*starts[1:], len(body)], strict=True)]


def test_duplicate_related_link(folder: Path) -> None:
    path = folder / SEED
    first, second = related_blocks(path)[:2]
    edit(path, first + second, first + first + second)  # the first link pasted twice
    webs = [number for number, line in enumerate(path.read_text().splitlines(), 1) if "    webUrl: " in line]
    assert lint(folder) == [(SEED, "FM602", "/related/1/webUrl", webs[1])]  # the copy; webs[0] is the original


def test_related_link_to_the_article_itself(folder: Path) -> None:
    path = folder / SEED
    own = "https://www.itbusinessedge.com/business-intelligence/microsoft-drops-emotion-recognition-facial-analysis/"
    link = (
        '  - title: "Microsoft Drops Emotion Recognition as Facial Analysis Concerns Grow"\n'
        f'    webUrl: "{own}"\n'
        "    provider:\n      name: IT Business Edge\n      domain: itbusinessedge.com\n"
    )
    edit(path, "related:\n", "related:\n" + link)  # the article lists itself first
    assert lint(folder) == [(SEED, "FM603", "/related/0/webUrl", line_of(path, f'    webUrl: "{own}'))]


# Topics and images


@pytest.mark.parametrize(
    ("new", "code", "pointer", "fragment"),
    [
        ("topics: []\n", "FM206", "/topics", "topics: []"),
        ("topics:\n  - Power Apps\n  - Power Apps\n", "FM210", "/topics/1", "  - Power Apps"),
        ("topics:\n  - Power Apps\n  - power apps\n", "FM605", "/topics/1", "  - power apps"),
        ('topics:\n  - "Power Apps "\n', "FM604", "/topics/0", '  - "Power Apps "'),
        ('topics:\n  - "   "\n', "FM604", "/topics/0", '  - "   "'),
    ],
)
def test_topics(folder: Path, new: str, code: str, pointer: str, fragment: str) -> None:
    path = folder / UNPUBLISHED
    edit(path, "topics:\n  - Power Apps\n", new)
    topics = line_of(path, "topics:")
    line = topics if pointer == "/topics" else topics + 1 + int(pointer.rsplit("/", 1)[1])  # one item a line
    assert fragment in path.read_text().splitlines()[line - 1]
    assert lint(folder) == [(UNPUBLISHED, code, pointer, line)]


def test_image_without_height(folder: Path) -> None:
    path = folder / UNPUBLISHED
    edit(path, "    width: 400\n    height: 400\n", "    width: 400\n")
    assert lint(folder) == [(UNPUBLISHED, "FM606", "/images/0/width", line_of(path, "    width: 400"))]


def test_provider_logo_of_zero_width(folder: Path) -> None:
    path = folder / UNPUBLISHED
    edit(path, "      width: 50\n", "      width: 0\n")
    assert lint(folder) == [(UNPUBLISHED, "FM203", "/provider/images/0/width", line_of(path, "      width: 0"))]


# Across files


def test_article_copied_under_another_name(folder: Path) -> None:
    copy_name = "2021-05-06-copy.md"
    shutil.copyfile(folder / PUBLISHED, folder / copy_name)
    line = line_of(folder / PUBLISHED, "originalUrl:")
    assert lint(folder) == [
        (PUBLISHED, "FM701", "/originalUrl", line),
        (copy_name, "FM701", "/originalUrl", line),
    ]


def test_another_articles_url_pasted_into_web_url(folder: Path) -> None:
    path = folder / UNPUBLISHED
    other_url = next(line for line in (folder / PUBLISHED).read_text().splitlines() if line.startswith("webUrl: "))
    own_url = next(line for line in path.read_text().splitlines() if line.startswith("webUrl: "))
    edit(path, own_url, other_url)
    # The pasted URL also disagrees with the file's originalUrl and provider: the URL rules' findings.
    result = run_cli("check", "--select", "FM7", "--output-format", "json", ".", cwd=folder)
    found = json.loads(result.out)
    assert [(e["path"], e["code"], e["pointer"], e["line"]) for e in found] == [
        (UNPUBLISHED, "FM701", "/webUrl", line_of(path, "webUrl:")),
        (PUBLISHED, "FM701", "/originalUrl", line_of(folder / PUBLISHED, "originalUrl:")),
    ]
    assert f"is also the URL of {PUBLISHED} (line {line_of(folder / PUBLISHED, 'originalUrl:')}" in found[0]["message"]
    assert f"is also the URL of {UNPUBLISHED} (line {line_of(path, 'webUrl:')}, `webUrl`)" in found[1]["message"]
