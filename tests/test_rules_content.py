"""FM6xx: images, the secured payload, related links and topics."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from conftest import MINIMAL, lint_text, where
from fmlint.rules.content import secured_problem

PAYLOAD = base64.b64encode(bytes(range(48))).decode()  # three 16-byte blocks
IV = base64.b64encode(bytes(16)).decode()


def article(extra: str) -> str:
    """MINIMAL with ``extra`` lines after its title: the first extra line is line 3."""
    return MINIMAL.replace('title: "An article"\n', f'title: "An article"\n{extra}')


def found(tmp_path: Path, extra: str) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.column, d.code, d.pointer) for d in lint_text(tmp_path, article(extra))]


# Images: sizes are the schema's


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("{url: /a.jpg, width: 0, height: 10}", [(4, 26, "FM203", "/images/0/width")]),
        ("{url: /a.jpg, width: 10, height: -3}", [(4, 38, "FM203", "/images/0/height")]),
        ("{url: /a.jpg, width: 1.5, height: 10}", [(4, 26, "FM202", "/images/0/width")]),
        ('{url: /a.jpg, width: 10, height: "800"}', [(4, 38, "FM202", "/images/0/height")]),
        ("{url: /a.jpg, width: 10, height: 10}", []),
    ],
)
def test_image_sizes_are_positive_integers(tmp_path: Path, image: str, expected: list[object]) -> None:
    assert found(tmp_path, f"images:\n  - {image}\n") == expected


def test_image_with_one_dimension(tmp_path: Path) -> None:
    extra = (
        "images:\n  - {url: /a.jpg, width: 1200}\n"
        "provider:\n  name: Example\n  domain: example.com\n  images:\n    - {url: /logo.png, height: 50}\n"
    )
    text = article(extra).replace("provider:\n  name: Example News\n  domain: example.com\n", "")
    diagnostics = lint_text(tmp_path, text)
    assert [(d.line, d.column, d.code, d.pointer) for d in diagnostics] == [
        (4, 26, "FM606", "/images/0/width"),
        (9, 32, "FM606", "/provider/images/0/height"),
    ]
    assert diagnostics[0].message == "`images[0]` has a `width` but no `height`; give both, or neither"
    assert diagnostics[1].message == "`provider.images[0]` has a `height` but no `width`; give both, or neither"


def test_related_links_images_are_checked(tmp_path: Path) -> None:
    extra = 'related:\n  - title: Other\n    webUrl: "https://example.org/x"\n    images: [{url: /b.jpg, height: 5}]\n'
    assert found(tmp_path, extra) == [(6, 36, "FM606", "/related/0/images/0/height")]


# FM601 invalid-secured


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            PAYLOAD,
            "`secured` must be two base64 parts separated by one `;` (the encrypted payload, then its "
            "16-byte initialisation vector), but it has no `;`",
        ),
        (
            f"{PAYLOAD};{IV};{IV}",
            "`secured` must be two base64 parts separated by one `;` (the encrypted payload, then its "
            "16-byte initialisation vector), but it has 2 `;`",
        ),
        (f";{IV}", "the first part (the encrypted payload) of `secured` is empty"),
        (f"{PAYLOAD};", "the second part (the initialisation vector) of `secured` is empty"),
        (
            f"{PAYLOAD[:10]}-{PAYLOAD[11:]};{IV}",
            "the first part (the encrypted payload) of `secured` is not base64: '-' at character 11 "
            "is not a base64 character",
        ),
        (
            f"{PAYLOAD};{IV[:-1]}",
            "the second part (the initialisation vector) of `secured` is not base64: 23 characters "
            "with misplaced or missing `=` padding",
        ),
        (
            f"{base64.b64encode(bytes(45)).decode()};{IV}",
            "the first part (the encrypted payload) of `secured` decodes to 45 bytes, not a non-zero multiple of 16",
        ),
        (
            f"{PAYLOAD};{base64.b64encode(bytes(12)).decode()}",
            "the second part (the initialisation vector) of `secured` decodes to 12 bytes, not 16",
        ),
    ],
)
def test_secured_problems_name_the_part(tmp_path: Path, value: str, message: str) -> None:
    [diagnostic] = lint_text(tmp_path, article(f'secured: "{value}"\n'))
    assert (diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.pointer) == (3, 10, "FM601", "/secured")
    assert diagnostic.message == message


def test_secured_of_the_right_sizes_passes(tmp_path: Path) -> None:
    assert found(tmp_path, f'secured: "{PAYLOAD};{IV}"\n') == []
    assert found(tmp_path, f"secured: {PAYLOAD};{IV}\n") == []  # plain or quoted alike
    assert secured_problem(f"{PAYLOAD};{IV}") is None


def test_secured_of_another_type_is_the_schemas(tmp_path: Path) -> None:
    assert found(tmp_path, "secured: 12\n") == [(3, 10, "FM202", "/secured")]


# FM602 duplicate-related-link, FM603 self-related-link

RELATED = """\
related:
  - title: "First"
    webUrl: "https://example.org/story"
  - title: "Second"
    webUrl: "{second}"
"""


@pytest.mark.parametrize(
    "second", ["https://example.org/story", "https://EXAMPLE.org/story/", "https://example.org/story#top"]
)
def test_duplicate_related_link_at_the_duplicate(tmp_path: Path, second: str) -> None:
    [diagnostic] = lint_text(tmp_path, article(RELATED.format(second=second)))
    assert (diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.pointer) == (
        7,
        13,
        "FM602",
        "/related/1/webUrl",
    )
    assert diagnostic.message == (
        f"`related[1]` links to {second} again, like `related[0]` (line 5); remove one of them"
    )


@pytest.mark.parametrize("second", ["https://example.org/Story", "https://example.org/story?page=2"])
def test_different_related_links_pass(tmp_path: Path, second: str) -> None:
    assert found(tmp_path, RELATED.format(second=second)) == []


def test_related_link_to_the_article_itself(tmp_path: Path) -> None:
    extra = RELATED.format(second="https://example.com/an-article/")
    [diagnostic] = lint_text(tmp_path, article(extra))
    assert (diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.pointer) == (
        7,
        13,
        "FM603",
        "/related/1/webUrl",
    )
    assert diagnostic.message == (
        "`related[1]` links to this article itself (its `webUrl`); a related link should point at another article"
    )


def test_related_link_whose_original_url_is_the_article(tmp_path: Path) -> None:
    text = article(
        'originalUrl: "https://example.com/source"\nrelated:\n'
        '  - {title: Copy, webUrl: "https://example.com/copy", originalUrl: "https://example.com/source"}\n'
    )
    assert [(d.line, d.column, d.code, d.pointer) for d in lint_text(tmp_path, text)] == [
        (5, 68, "FM603", "/related/0/originalUrl")
    ]


# Topics: the schema's checks, and the two it cannot make


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        ("topics: []", [(3, 9, "FM206", "/topics")]),
        ('topics: [""]', [(3, 10, "FM206", "/topics/0")]),
        ("topics: [AI, AI]", [(3, 14, "FM210", "/topics/1")]),
        ("topics: AI", [(3, 9, "FM202", "/topics")]),
        ("topics: [AI, 7]", [(3, 14, "FM202", "/topics/1")]),
        ('topics: [AI, "  "]', [(3, 14, "FM604", "/topics/1")]),
        ('topics: ["AI ", Cloud]', [(3, 10, "FM604", "/topics/0")]),
        ("topics: [Power Apps, power apps]", [(3, 22, "FM605", "/topics/1")]),
        (
            'topics: [Power Apps, "Power  Apps", Power Apps]',
            [(3, 22, "FM605", "/topics/1"), (3, 37, "FM210", "/topics/2")],
        ),
        ("topics: [AI, Cloud]", []),
    ],
)
def test_topics(tmp_path: Path, topics: str, expected: list[object]) -> None:
    assert found(tmp_path, topics + "\n") == expected


def test_topic_messages(tmp_path: Path) -> None:
    diagnostics = lint_text(tmp_path, article('topics: ["AI ", ai, "  "]\n'))
    assert [d.message for d in diagnostics] == [
        "`topics[0]` 'AI ' starts or ends with white space; write 'AI'",
        "`topics[1]` 'ai' is the same topic as `topics[0]` 'AI ' but for case or spacing; keep one spelling",
        "`topics[2]` is only white space",
    ]
    assert where(diagnostics) == [(3, 10, "FM604"), (3, 17, "FM605"), (3, 21, "FM604")]
