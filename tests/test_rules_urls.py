"""FM3xx URL rules: positions, pointers, messages, options and the fixes' edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS, MINIMAL, lint_text, run_cli, where
from fmlint.diagnostic import Applicability, Diagnostic, Edit
from fmlint.pipeline.document import Document
from fmlint.pipeline.source import Source, read_front_matter
from fmlint.pipeline.yamlread import Limits, read_yaml
from fmlint.rules.urls import amp_cache_url
from fmlint.rules.values import rewrite_scalar

URLS = ["FM301", "FM302", "FM303", "FM304", "FM305", "FM306", "FM307"]


def article(extra: str, base: str = MINIMAL) -> str:
    """``base`` with ``extra`` lines added before the closing fence (they start on line 8)."""
    return base[: -len("---\n")] + extra + "---\n"


def found(diagnostics: list[Diagnostic]) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.column, d.code, d.pointer) for d in diagnostics]


def apply_fix(text: str, diagnostic: Diagnostic) -> str:
    """The file ``text`` with the fix's edits applied to its front-matter."""
    assert diagnostic.fix is not None
    front = text[len("---\n") : text.index("\n---\n", 3) + 1]
    for edit in sorted(diagnostic.fix.edits, key=lambda edit: edit.start, reverse=True):
        front = front[: edit.start] + edit.text + front[edit.end :]
    return "---\n" + front + text[text.index("\n---\n", 3) + 1 :]


# --- FM301: the bullets the schema format covers ------------------------------


@pytest.mark.parametrize(
    ("line", "expected", "fragment"),
    [
        ("originalUrl: /an-article", [(8, 14, "FM301", "/originalUrl")], "relative path"),
        ('ampWebUrl: "https://exa mple.com/a"', [(8, 12, "FM301", "/ampWebUrl")], "contains a space"),
        ("cdnAmpWebUrl: https://", [(8, 15, "FM301", "/cdnAmpWebUrl")], "no host"),
        ("originalUrl: 'https://xn--a-.example/a'", [(8, 14, "FM301", "/originalUrl")], "starts or ends with a hyphen"),
        ('originalUrl: "https://-bad.example/a"', [(8, 14, "FM301", "/originalUrl")], "hyphen"),
        ("images:\n  - url: /assets/a b.jpg", [(9, 10, "FM301", "/images/0/url")], "contains a space"),
        ('images:\n  - url: "1x:y.jpg"', [(9, 10, "FM301", "/images/0/url")], "first path segment"),
    ],
)
def test_malformed_urls_are_schema_errors(
    tmp_path: Path, line: str, expected: list[tuple[int, int, str, str]], fragment: str
) -> None:
    diagnostics = lint_text(tmp_path, article(line + "\n"), select=URLS)
    assert found(diagnostics) == expected
    assert fragment in diagnostics[0].message


@pytest.mark.parametrize(
    "line",
    [
        'originalUrl: "https://bücher.example/über-uns"',  # IDNA: non-ASCII labels
        'originalUrl: "https://xn--bcher-kva.example/a"',  # the same host, punycode
        "images:\n  - url: /assets/logo.jpg",  # a path on the site
        "images:\n  - url: ../img/lead.png",
    ],
)
def test_well_formed_urls_and_image_paths_pass(tmp_path: Path, line: str) -> None:
    assert lint_text(tmp_path, article(line + "\n"), select=["FM301", "FM302", "FM303", "FM304"]) == []


def test_a_relative_article_link_is_an_error_though_an_image_path_is_not(tmp_path: Path) -> None:
    text = article("originalUrl: /assets/logo.jpg\nimages:\n  - url: /assets/logo.jpg\n")
    assert found(lint_text(tmp_path, text, select=URLS)) == [(8, 14, "FM301", "/originalUrl")]


# --- FM302 unsupported-url-scheme ---------------------------------------------


@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        ('originalUrl: "javascript:alert(1)"', 14, "not `javascript:` (a `javascript:` link runs code"),
        ("originalUrl: ftp://files.example.com/a.pdf", 14, "must be an http or https URL, not `ftp:`"),
        ('originalUrl: "htps://example.com/a"', 14, "not `htps:` (did you mean `https`?)"),
        ('originalUrl: "HTTPX://example.com/a"', 14, "not `HTTPX:`"),
        ("images:\n  - url: data:image/png;base64,AAAA", 10, "`images[0].url` must be an http or https URL"),
    ],
)
def test_scheme_must_be_http_or_https(tmp_path: Path, line: str, column: int, fragment: str) -> None:
    diagnostics = lint_text(tmp_path, article(line + "\n"), select=["FM301", "FM302"])
    assert where(diagnostics) == [(8 + line.count("\n"), column, "FM302")]
    assert diagnostics[0].severity == "error"
    assert fragment in diagnostics[0].message


def test_scheme_is_checked_in_provider_images_and_related_links(tmp_path: Path) -> None:
    text = article(
        "related:\n"
        "  - title: Other\n"
        "    webUrl: mailto:editor@example.com\n"
        "    provider:\n"
        "      name: Other\n"
        "      domain: example.com\n"
        "      images:\n"
        "        - url: ftp://example.com/logo.png\n",
        MINIMAL.replace(
            "  domain: example.com\n", "  domain: example.com\n  images: [{url: 'gopher://x.example/l'}]\n"
        ),
    )
    diagnostics = lint_text(tmp_path, text, select=URLS)
    assert found(diagnostics) == [
        (8, 18, "FM302", "/provider/images/0/url"),
        (11, 13, "FM302", "/related/0/webUrl"),
        (16, 16, "FM302", "/related/0/provider/images/0/url"),
    ]
    assert "`related[0].provider.images[0].url`" in diagnostics[2].message


# --- FM303 insecure-url -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fixed"),
    [
        ('"http://example.com/an-article"', '"https://example.com/an-article"'),
        ("'http://example.com/an-article'", "'https://example.com/an-article'"),
        ("http://example.com/an-article", "https://example.com/an-article"),
        ("HTTP://example.com/an-article", "https://example.com/an-article"),
    ],
)
def test_plain_http_is_a_warning_with_an_unsafe_fix(tmp_path: Path, value: str, fixed: str) -> None:
    text = MINIMAL.replace('"https://example.com/an-article"', value)
    diagnostics = lint_text(tmp_path, text, select=URLS)
    assert found(diagnostics) == [(4, 9, "FM303", "/webUrl")]
    (diagnostic,) = diagnostics
    assert diagnostic.severity == "warning" and "uses plain http" in diagnostic.message
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.UNSAFE
    repaired = apply_fix(text, diagnostic)
    assert repaired == text.replace(value, fixed)
    assert lint_text(tmp_path, repaired, select=URLS) == []


def test_http_is_reported_in_every_url_field(tmp_path: Path) -> None:
    text = article(
        "originalUrl: http://example.com/a\n"
        "images:\n"
        "  - url: http://example.com/lead.jpg\n"
        "related:\n"
        "  - title: Other\n"
        "    webUrl: http://example.com/b\n"
    )
    assert found(lint_text(tmp_path, text, select=["FM303"])) == [
        (8, 14, "FM303", "/originalUrl"),
        (10, 10, "FM303", "/images/0/url"),
        (13, 13, "FM303", "/related/0/webUrl"),
    ]


# --- FM304 non-public-host ----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://localhost:4000/a", "`localhost` is a local name"),
        ("https://blog.localhost/a", "local name"),
        ("https://printer.local/a", "local name"),
        ("https://wiki.corp.internal/a", "local name"),
        ("https://intranet/a", "a single name, not a public domain"),
        ("https://127.0.0.1/a", "this computer's own address"),
        ("https://[::1]/a", "`::1` is this computer's own address"),
        ("https://10.0.0.5/a", "private network address"),
        ("https://192.168.1.20:8080/a", "`192.168.1.20` is a private network address"),
        ("https://169.254.10.1/a", "private network address"),
        ("https://[fd00::1]/a", "private network address"),
        ("https://93.184.216.34/a", "is an IP address: link to the site's domain name"),
    ],
)
def test_local_private_and_ip_hosts_are_warnings(tmp_path: Path, url: str, fragment: str) -> None:
    diagnostics = lint_text(tmp_path, article(f'originalUrl: "{url}"\n'), select=["FM304"])
    assert found(diagnostics) == [(8, 14, "FM304", "/originalUrl")]
    assert diagnostics[0].severity == "warning"
    assert fragment in diagnostics[0].message


def test_public_names_are_not_reported(tmp_path: Path) -> None:
    text = article("originalUrl: https://www.example.co.uk/a\nimages:\n  - url: /assets/logo.jpg\n")
    assert lint_text(tmp_path, text, select=["FM304"]) == []


# --- FM305 url-host-mismatch --------------------------------------------------


def test_web_and_original_url_on_different_hosts(tmp_path: Path) -> None:
    text = article(
        "originalUrl: https://news.example.org/an-article\n"
        "related:\n"
        "  - title: Other\n"
        "    webUrl: https://b.example/x\n"
        "    originalUrl: https://c.example/x\n"
    )
    diagnostics = lint_text(tmp_path, text, select=URLS)
    assert found(diagnostics) == [(4, 9, "FM305", "/webUrl"), (11, 13, "FM305", "/related/0/webUrl")]
    assert diagnostics[0].message == (
        "`webUrl` is on `example.com` but `originalUrl` is on `news.example.org`: "
        "one of them may point at another article"
    )
    assert diagnostics[0].severity == "warning"


def test_www_counts_as_the_same_host_unless_configured(tmp_path: Path) -> None:
    text = article("originalUrl: https://WWW.Example.com/an-article\n")
    assert lint_text(tmp_path, text, select=URLS) == []
    (tmp_path / "pyproject.toml").write_text("[tool.fmlint.rules.url-host-mismatch]\nignore-www = false\n")
    result = run_cli(
        "check", "--config", str(tmp_path / "pyproject.toml"), "--output-format", "json", str(tmp_path / "article.md")
    )
    assert result.code == 0
    assert [(d["line"], d["column"], d["code"]) for d in json.loads(result.out)] == [(4, 9, "FM305")]


# --- FM306 cdn-amp-url-mismatch -----------------------------------------------


def test_amp_cache_address_follows_the_algorithm() -> None:
    assert (
        amp_cache_url("https://www.my-site.example.com/a/amp/?x=1#top")
        == "https://www-my--site-example-com.cdn.ampproject.org/c/s/www.my-site.example.com/a/amp/?x=1#top"
    )
    assert amp_cache_url("http://news.example/a.amp") == "https://news-example.cdn.ampproject.org/c/news.example/a.amp"
    assert (
        amp_cache_url("HTTPS://Example.com:8443/a") == "https://example-com.cdn.ampproject.org/c/s/Example.com:8443/a"
    )
    assert amp_cache_url("ftp://example.com/a") is None
    assert amp_cache_url("https://[2001:db8::1]/a") is None  # an IPv6 address has no cache name


def _corpus_front_matter(path: Path) -> Source:
    source = read_front_matter(str(path), 1 << 20)
    assert isinstance(source, Source)
    return source


def test_every_real_cdn_amp_url_is_the_cache_address_of_its_amp_url() -> None:
    checked = 0
    for path in sorted(CORPUS.iterdir()):
        data = read_yaml(_corpus_front_matter(path).text, Limits()).data
        for record in [data, *data.get("related", [])]:
            if "cdnAmpWebUrl" in record:
                assert amp_cache_url(record["ampWebUrl"]) == record["cdnAmpWebUrl"], path.name
                checked += 1
    assert checked == 42


AMP = (
    'ampWebUrl: "https://www.my-site.example/a/amp/"\n'
    'cdnAmpWebUrl: "https://www-my-site-example.cdn.ampproject.org/c/s/www.my-site.example/a/amp/"\n'
)
EXPECTED = "https://www-my--site-example.cdn.ampproject.org/c/s/www.my-site.example/a/amp/"


@pytest.mark.parametrize("quote", ['"', "'", ""])
def test_wrong_cdn_amp_url_is_reported_with_a_safe_fix_in_the_same_quoting(tmp_path: Path, quote: str) -> None:
    text = article(AMP.replace('"', quote))
    diagnostics = lint_text(tmp_path, text, select=URLS)
    assert found(diagnostics) == [(9, 15, "FM306", "/cdnAmpWebUrl")]
    (diagnostic,) = diagnostics
    assert diagnostic.severity == "error"
    assert diagnostic.message == f"`cdnAmpWebUrl` is not the AMP cache address of `ampWebUrl`: expected `{EXPECTED}`"
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    (edit,) = diagnostic.fix.edits
    assert edit.text == EXPECTED  # only the characters of the value, inside the quotes
    repaired = apply_fix(text, diagnostic)
    assert repaired == text.replace("www-my-site-example.cdn", "www-my--site-example.cdn")
    assert lint_text(tmp_path, repaired, select=URLS) == []


def test_the_fix_escapes_what_the_quoting_style_needs(tmp_path: Path) -> None:
    amp = "https://example.com/it's/amp"
    text = article(f"ampWebUrl: \"{amp}\"\ncdnAmpWebUrl: 'https://example-com.cdn.ampproject.org/c/s/x'\n")
    (diagnostic,) = lint_text(tmp_path, text, select=URLS)
    assert diagnostic.fix is not None
    assert diagnostic.fix.edits[0].text == "https://example-com.cdn.ampproject.org/c/s/example.com/it''s/amp"
    repaired = apply_fix(text, diagnostic)
    assert lint_text(tmp_path, repaired, select=URLS) == []


def test_a_plain_value_in_a_flow_mapping_is_quoted_when_it_must_be(tmp_path: Path) -> None:
    text = article(
        "related:\n"
        "  - {title: Other, ampWebUrl: 'https://b.example/a,b/amp',\n"
        "     webUrl: https://b.example/a, cdnAmpWebUrl: https://b-example.cdn.ampproject.org/c/s/x}\n"
    )
    (diagnostic,) = lint_text(tmp_path, text, select=URLS)
    assert found([diagnostic]) == [(10, 49, "FM306", "/related/0/cdnAmpWebUrl")]
    assert diagnostic.fix is not None
    assert diagnostic.fix.edits[0].text == '"https://b-example.cdn.ampproject.org/c/s/b.example/a,b/amp"'
    assert lint_text(tmp_path, apply_fix(text, diagnostic), select=URLS) == []


def test_cdn_amp_url_in_a_related_link_and_without_an_amp_url(tmp_path: Path) -> None:
    text = article(
        "cdnAmpWebUrl: https://example-com.cdn.ampproject.org/c/s/example.com/a\n"
        "related:\n"
        "  - title: Other\n"
        "    webUrl: http://b.example/a\n"
        "    ampWebUrl: http://b.example/a/amp\n"
        "    cdnAmpWebUrl: https://b-example.cdn.ampproject.org/c/s/b.example/a/amp\n"
    )
    diagnostics = lint_text(tmp_path, text, select=["FM306"])
    assert found(diagnostics) == [(8, 15, "FM306", "/cdnAmpWebUrl"), (13, 19, "FM306", "/related/0/cdnAmpWebUrl")]
    assert "is set but `ampWebUrl` is not" in diagnostics[0].message and diagnostics[0].fix is None
    assert "expected `https://b-example.cdn.ampproject.org/c/b.example/a/amp`" in diagnostics[1].message


def test_an_aliased_value_is_reported_without_a_fix(tmp_path: Path) -> None:
    text = article(
        'ampWebUrl: "https://example.com/amp"\n'
        "extra: &cdn https://wrong.cdn.ampproject.org/c/s/example.com/amp\n"
        "cdnAmpWebUrl: *cdn\n"
    )
    diagnostics = [d for d in lint_text(tmp_path, text, select=URLS)]
    assert found(diagnostics) == [(10, 15, "FM306", "/cdnAmpWebUrl")]
    assert diagnostics[0].fix is None


# --- FM307 provider-domain-mismatch -------------------------------------------


def test_provider_domain_must_be_the_host_or_a_parent_of_it(tmp_path: Path) -> None:
    text = MINIMAL.replace("https://example.com/", "https://www.news.example.com/")
    assert lint_text(tmp_path, text, select=URLS) == []
    wrong = text.replace("domain: example.com", "domain: example.org")
    diagnostics = lint_text(tmp_path, wrong, select=URLS)
    assert found(diagnostics) == [(7, 11, "FM307", "/provider/domain")]
    assert diagnostics[0].message == (
        "`provider.domain` is `example.org` but `webUrl` is on `www.news.example.com`: "
        "the domain should be that host or a parent domain of it"
    )
    assert diagnostics[0].severity == "warning"


def test_a_longer_domain_than_the_host_is_not_a_parent(tmp_path: Path) -> None:
    text = MINIMAL.replace("domain: example.com", "domain: www.example.com")
    assert found(lint_text(tmp_path, text, select=URLS)) == [(7, 11, "FM307", "/provider/domain")]
    suffix = MINIMAL.replace("domain: example.com", "domain: ample.com")
    assert found(lint_text(tmp_path, suffix, select=URLS)) == [(7, 11, "FM307", "/provider/domain")]


def test_either_link_may_carry_the_domain(tmp_path: Path) -> None:
    text = article(
        "originalUrl: https://example.com/a\n", MINIMAL.replace("https://example.com/", "https://x.example/")
    )
    assert where(lint_text(tmp_path, text, select=["FM307"])) == []


VIDEO = """\
---
title: "A video"
publishedDateTime: 2019-08-19T21:00:10Z
originalUrl: "https://youtube.com/watch?v=WJk-Y8LQlfE"
type: video
provider:
  name: Microsoft
  domain: microsoft.com
---
"""


def test_videos_on_a_video_platform_name_their_publisher_without_noise(tmp_path: Path) -> None:
    assert lint_text(tmp_path, VIDEO, select=URLS) == []
    as_article = VIDEO.replace("type: video", "type: article")
    diagnostics = lint_text(tmp_path, as_article, select=URLS)
    assert found(diagnostics) == [(8, 11, "FM307", "/provider/domain")]
    assert diagnostics[0].message.endswith("(a video on a video platform should have `type: video`)")
    elsewhere = VIDEO.replace("youtube.com/watch?v=", "videos.example.net/")
    assert found(lint_text(tmp_path, elsewhere, select=URLS)) == [(8, 11, "FM307", "/provider/domain")]


def test_video_hosts_are_an_option(tmp_path: Path) -> None:
    path = tmp_path / "video.md"
    path.write_text(VIDEO.replace("youtube.com", "videos.example.net"))
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.fmlint.rules.provider-domain-mismatch]\nvideo-hosts = ["example.net"]\n')
    result = run_cli("check", "--config", str(config), "--output-format", "json", str(path))
    assert (result.code, json.loads(result.out)) == (0, [])
    config.write_text('[tool.fmlint.rules.provider-domain-mismatch]\nvideo-hosts = "example.net"\n')
    result = run_cli("check", "--config", str(config), str(path))
    assert result.code == 2
    assert "option `video-hosts` of rule `provider-domain-mismatch` has the wrong type" in result.err


def test_provider_domain_in_a_related_link(tmp_path: Path) -> None:
    text = article(
        "related:\n"
        "  - title: Other\n"
        "    webUrl: https://www.forbes.com/sites/a\n"
        "    provider: {name: Forbes, domain: forbes.co}\n"
        "  - title: Fine\n"
        "    webUrl: https://www.forbes.com/sites/b\n"
        "    provider: {name: Forbes, domain: forbes.com}\n"
    )
    assert found(lint_text(tmp_path, text, select=URLS)) == [(11, 38, "FM307", "/related/0/provider/domain")]


# --- robustness ---------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        "related: [1, two, [3]]\n",
        "related:\n  - title: x\n    webUrl: 42\n    provider: oops\n    images: {url: 1}\n",
        "images: [null, {url: [x]}]\nampWebUrl: 7\ncdnAmpWebUrl: https://x.cdn.ampproject.org/c/s/a\n",
    ],
)
def test_odd_shapes_are_left_to_the_schema_without_a_traceback(tmp_path: Path, extra: str) -> None:
    codes = {d.code for d in lint_text(tmp_path, article(extra))}
    assert "FM902" not in codes
    assert codes & {"FM201", "FM202"}


def test_a_block_scalar_is_reported_without_a_fix(tmp_path: Path) -> None:
    text = article(
        'ampWebUrl: "https://example.com/amp"\ncdnAmpWebUrl: >-\n  https://example.cdn.ampproject.org/c/s/example.com/amp\n'
    )
    (diagnostic,) = lint_text(tmp_path, text, select=URLS)
    assert found([diagnostic]) == [(9, 15, "FM306", "/cdnAmpWebUrl")]
    assert diagnostic.fix is None


def _document(text: str) -> Document:
    parsed = read_yaml(text, Limits())
    return Document("a.md", Source("a.md", text, b"", False, 3, 3), parsed.data, parsed.spans)


def test_an_edit_that_would_not_read_back_as_the_value_is_not_offered() -> None:
    doc = _document("a: 'x'\nb: x\nc: \"x\"\n")
    assert rewrite_scalar(doc, "/a", "it's") == Edit(4, 5, "it''s")
    assert rewrite_scalar(doc, "/a", "two\nlines") is None  # single quotes cannot hold a line break
    assert rewrite_scalar(doc, "/b", "x: y") == Edit(10, 11, '"x: y"')  # plain would be a mapping
    assert rewrite_scalar(doc, "/c", 'say "hi"\\') == Edit(16, 17, 'say \\"hi\\"\\\\')
    assert rewrite_scalar(doc, "/missing", "x") is None
