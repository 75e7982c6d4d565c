"""Build a realistic corpus of N article files for benchmarks.

Files are made from the real articles in tests/corpus/powerapps and the valid seed,
with unique titles and URLs, spread over folders of 1,000 files, and a small known
share of injected defects so a benchmark can check that every run really linted
everything. Each file's front-matter is also written as ``.yaml`` for tools that
validate plain YAML documents (check-jsonschema).
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = [REPO / "seeds" / "000_24bd785b62fe7a7a.txt", *sorted((REPO / "tests" / "corpus" / "powerapps").iterdir())]
DEFECT_EVERY = 50  # one file in 50 gets one error

_URL = re.compile(r'^((?:originalUrl|webUrl): "?)([^"\n]+?)("?)$', re.MULTILINE)
_TITLE = re.compile(r'^(title: ")(.*)(")$', re.MULTILINE)

# Each defect is (what it does to the text, the rule code it must trigger).
DEFECTS = (
    (lambda text: text.replace("\nquality: ", "\nquality: -", 1), "FM203"),
    (
        lambda text: _URL.sub(
            lambda m: m.group(1) + m.group(2).replace("https://", "https//") + m.group(3), text, count=1
        ),
        "FM301",
    ),
    (lambda text: _TITLE.sub("", text, count=1), "FM201"),
    (lambda text: re.sub(r"(publishedDateTime: \d{4}-\d\d-\d\dT[\d:]+)Z", r"\1", text, count=1), "FM401"),
    (lambda text: text.replace("\ntype: article\n", "\ntype: articel\n", 1), "FM204"),
)


def _unique(text: str, index: int) -> str:
    def url(match: re.Match[str]) -> str:
        value = match.group(2)
        value = f"{value}{index}/" if value.endswith("/") else f"{value}/{index}"
        return match.group(1) + value + match.group(3)

    text = _URL.sub(url, text)
    return _TITLE.sub(lambda match: f"{match.group(1)}{match.group(2)} ({index}){match.group(3)}", text, count=1)


def build(root: Path, count: int) -> dict[str, int]:
    """Write ``count`` articles (and their ``.yaml`` front-matter) under ``root``.

    Returns how many defects of each code were injected.
    """
    articles, documents = root / "articles", root / "yaml"
    injected: dict[str, int] = {}
    templates = [path.read_text(encoding="utf-8") for path in TEMPLATES]
    for index in range(count):
        template = templates[index % len(templates)]
        text = _unique(template, index)
        if index % DEFECT_EVERY == DEFECT_EVERY - 1:
            change, code = DEFECTS[(index // DEFECT_EVERY) % len(DEFECTS)]
            changed = change(text)
            if changed != text:
                text = changed
                injected[code] = injected.get(code, 0) + 1
        folder = f"{index // 1000:03d}"
        name = TEMPLATES[index % len(TEMPLATES)].stem[:60]
        article = articles / folder / f"{name}-{index}.md"
        article.parent.mkdir(parents=True, exist_ok=True)
        article.write_text(text, encoding="utf-8")
        document = documents / folder / f"{name}-{index}.yaml"
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_text(text.split("\n---\n", 1)[0][4:] + "\n", encoding="utf-8")
    return injected
