"""Live links (FM8xx) through the command line, against HTTP servers on loopback started by the tests.

Every test points the user's cache directory at its own temporary folder, and the
servers count every request they get.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

import linkserver
from conftest import run_cli
from linkserver import FIRST_IMAGE_LINE, LinkServer, article, check, configure, found, serving

user_cache = pytest.fixture(autouse=True, name="user_cache")(linkserver.isolated_user_cache)
server = pytest.fixture(name="server")(linkserver.running_server)
site = pytest.fixture(name="site")(linkserver.configured_site)


def test_verdicts_each_at_the_value(site: Path, server: LinkServer) -> None:
    paths = [
        "/ok",
        "/missing",
        "/gone",
        "/moved",
        "/moved-308",
        "/temporary",
        "/see-other",
        "/error",
        "/loop-a",
        "/forbidden",
        "/moved-to-dead",
    ]
    (site / "a.md").write_text(article(*(server.base + path for path in paths)))
    code, findings, _ = check(site, "a.md")
    line = {path: FIRST_IMAGE_LINE + index for index, path in enumerate(paths)}
    assert found(findings) == [
        ("a.md", line["/missing"], 10, "FM801"),
        ("a.md", line["/gone"], 10, "FM801"),
        ("a.md", line["/moved"], 10, "FM802"),
        ("a.md", line["/moved-308"], 10, "FM802"),
        ("a.md", line["/error"], 10, "FM803"),
        ("a.md", line["/loop-a"], 10, "FM804"),
        ("a.md", line["/forbidden"], 10, "FM803"),
        ("a.md", line["/moved-to-dead"], 10, "FM801"),
    ]
    assert code == 1  # dead links are errors
    messages = {item["line"]: item["message"] for item in findings}
    assert "answers 404 Not Found" in messages[line["/missing"]]
    assert "answers 410 Gone" in messages[line["/gone"]]
    assert f"moved permanently to {server.base}/ok" in messages[line["/moved"]]
    assert "could not be checked: the server answered 500 Internal Server Error" in messages[line["/error"]]
    assert f"{server.base}/loop-b redirects back to {server.base}/loop-a" in messages[line["/loop-a"]]
    severities = {item["code"]: item["severity"] for item in findings}
    assert severities == {"FM801": "error", "FM802": "warning", "FM803": "warning", "FM804": "warning"}
    # 5xx is retried (twice by default) before it is reported; everything else is asked once,
    # a dead link by HEAD and then GET to confirm it.
    assert server.requests["HEAD", "/error"] == 3
    assert server.requests["HEAD", "/ok"] == 1 and server.requests["GET", "/ok"] == 0
    assert server.requests["HEAD", "/missing"] == 1 and server.requests["GET", "/missing"] == 1


def test_one_request_per_distinct_url_whatever_the_number_of_files(site: Path, server: LinkServer) -> None:
    for name in ("a.md", "b.md", "c.md"):
        (site / name).write_text(article(f"{server.base}/gone", f"{server.base}/ok"))
    code, findings, _ = check(site, ".")
    assert found(findings) == [(name, FIRST_IMAGE_LINE, 10, "FM801") for name in ("a.md", "b.md", "c.md")]
    assert server.requests["HEAD", "/gone"] == 1 and server.requests["GET", "/gone"] == 1
    assert server.requests["HEAD", "/ok"] == 1
    assert code == 1


def test_second_run_sends_no_request_and_reports_the_same(site: Path, server: LinkServer, user_cache: Path) -> None:
    (site / "a.md").write_text(article(f"{server.base}/gone", f"{server.base}/ok", f"{server.base}/moved"))
    first = check(site, "a.md")
    asked = server.total()
    assert asked > 0 and user_cache.is_file()
    second = check(site, "a.md")
    assert server.total() == asked
    assert second == first
    assert {item["code"] for item in second[1]} == {"FM801", "FM802"}


def test_a_large_cache_keeps_this_runs_answers_when_it_tidies_itself(
    site: Path, server: LinkServer, user_cache: Path
) -> None:
    """More lines than answers worth keeping make the cache rewrite itself at the end of a run."""
    (site / "a.md").write_text(article(*(f"{server.base}/page/{index}" for index in range(70))))
    check(site, "a.md")
    configure(site, "cache-max-age = 0\n")  # every earlier answer is too old
    check(site, "a.md")
    check(site, "a.md")  # 210 lines, 70 worth keeping: the file is rewritten
    configure(site)
    check(site, "a.md")  # the answers of the run that rewrote it were kept
    assert server.total() == 210
    assert len(user_cache.read_text().splitlines()) == 70


def test_expired_answers_are_asked_again(site: Path, server: LinkServer) -> None:
    configure(site, "cache-max-age = 0\ncache-failure-max-age = 0\n")
    (site / "a.md").write_text(article(f"{server.base}/ok"))
    check(site, "a.md")
    check(site, "a.md")
    assert server.requests["HEAD", "/ok"] == 2


def test_offline_sends_nothing_and_names_what_it_does_not_know(site: Path, server: LinkServer) -> None:
    (site / "a.md").write_text(article(f"{server.base}/gone"))
    check(site, "a.md")
    asked = server.total()
    (site / "a.md").write_text(article(f"{server.base}/gone", f"{server.base}/never-asked"))
    code, findings, _ = check(site, "--offline", "a.md")
    assert server.total() == asked
    assert found(findings) == [("a.md", FIRST_IMAGE_LINE, 10, "FM801"), ("a.md", FIRST_IMAGE_LINE + 1, 10, "FM803")]
    assert f"{server.base}/never-asked was not checked: offline" in findings[1]["message"]
    assert code == 1


def test_offline_without_links_checks_no_link(site: Path) -> None:
    """--offline also keeps remote schemas to the schema cache, so it is no error without --links."""
    (site / "a.md").write_text(article("https://example.com/x"))
    result = run_cli("check", "--offline", "--output-format", "json", "a.md", cwd=site)
    assert result.code == 0 and json.loads(result.out) == [], result.err


def test_no_cache_neither_reads_nor_writes(site: Path, server: LinkServer, user_cache: Path) -> None:
    (site / "a.md").write_text(article(f"{server.base}/ok"))
    check(site, "--no-cache", "a.md")
    assert not user_cache.exists()
    check(site, "a.md")  # fills the cache
    check(site, "--no-cache", "a.md")  # does not read it
    assert server.requests["HEAD", "/ok"] == 3


def test_answers_are_kept_as_they_arrive(site: Path, server: LinkServer, user_cache: Path) -> None:
    """A run that fails (here: its output cannot be written) keeps what it learned."""
    (site / "a.md").write_text(article(f"{server.base}/ok", f"{server.base}/gone"))
    result = run_cli("check", "--select", "FM8", "--output-format", "no-such-format", "a.md", cwd=site)
    assert result.code == 2  # refused before linting: nothing learned, nothing asked
    assert server.total() == 0
    check(site, "a.md")
    lines = [json.loads(line) for line in user_cache.read_text().splitlines()]
    assert sorted(line["url"] for line in lines) == [f"{server.base}/gone", f"{server.base}/ok"]
    assert {line["url"]: line["ok"] for line in lines} == {f"{server.base}/gone": False, f"{server.base}/ok": True}


def test_a_corrupt_cache_is_a_miss(site: Path, server: LinkServer, user_cache: Path) -> None:
    user_cache.parent.mkdir(parents=True)
    forged = {"url": f"{server.base}/gone", "status": 200, "error": None, "detail": "", "moved_to": None}
    user_cache.write_bytes(
        b"\xff\xfe not UTF-8\n"
        + b"not json\n"
        + json.dumps([1, 2]).encode()
        + b"\n"
        + json.dumps({**forged, "final": None, "at": "yesterday", "ok": True}).encode()  # a wrong type
        + b"\n"
        + json.dumps({**forged, "final": None, "at": 1e300, "ok": True, "extra": 1}).encode()  # an unknown key
        + b"\n"
        + b'{"url": "cut short'
    )
    (site / "a.md").write_text(article(f"{server.base}/gone"))
    _, findings, _ = check(site, "a.md")
    assert found(findings) == [("a.md", FIRST_IMAGE_LINE, 10, "FM801")]
    assert server.requests["HEAD", "/gone"] == 1


def test_rate_limits_are_honoured_and_never_dead(site: Path, server: LinkServer) -> None:
    configure(site, "max-retry-wait = 5\n")
    (site / "a.md").write_text(article(f"{server.base}/busy-once", f"{server.base}/wait-long"))
    code, findings, _ = check(site, "a.md")
    # /busy-once answers 429 with Retry-After: 1, then 200: no finding, two requests a second apart.
    assert found(findings) == [("a.md", FIRST_IMAGE_LINE + 1, 10, "FM803")]
    assert "asking to wait 3600 s" in findings[0]["message"]
    times = [when for when, _, path in server.times if path == "/busy-once"]
    assert len(times) == 2 and times[1] - times[0] >= 0.9
    assert server.requests["HEAD", "/wait-long"] == 1  # longer than max-retry-wait: not waited for
    assert code == 0  # warnings only


def test_backoff_slows_only_the_host_that_pushed_back(site: Path, server: LinkServer) -> None:
    with serving("127.0.0.2") as other:
        configure(site, allow='["127.0.0.0/8"]')
        urls = [f"{server.base}/unavailable", *(f"{other.base}/page/{index}" for index in range(5))]
        (site / "a.md").write_text(article(*urls))
        code, findings, _ = check(site, "a.md")
    assert found(findings) == [("a.md", FIRST_IMAGE_LINE, 10, "FM803")]  # 503 three times: not dead
    assert "503 Service Unavailable" in findings[0]["message"]
    pushed_back = [when for when, _, _ in server.times]
    assert len(pushed_back) == 3 and pushed_back[1] - pushed_back[0] >= 0.9
    assert max(when for when, _, _ in other.times) < pushed_back[1]  # the other host did not wait
    assert code == 0


def test_head_refused_falls_back_to_get(site: Path, server: LinkServer) -> None:
    (site / "a.md").write_text(article(f"{server.base}/no-head", f"{server.base}/head-lies"))
    code, findings, _ = check(site, "a.md")
    assert findings == []
    assert server.requests["HEAD", "/no-head"] == 1 and server.requests["GET", "/no-head"] == 1
    assert server.requests["GET", "/head-lies"] == 1  # a HEAD answered 404, GET 200: not dead
    assert code == 0


def test_slow_servers_time_out_as_could_not_be_checked(site: Path, server: LinkServer) -> None:
    configure(site, "timeout = 0.3\nmax-retries = 0\n")
    (site / "a.md").write_text(article(f"{server.base}/slow", f"{server.base}/ok"))
    code, findings, _ = check(site, "a.md")
    assert found(findings) == [("a.md", FIRST_IMAGE_LINE, 10, "FM803")]
    assert "no answer within 0.3 s" in findings[0]["message"]
    assert code == 0


def test_at_most_max_per_host_in_flight(site: Path) -> None:
    with serving(delay=0.05) as slow:
        configure(site, "max-per-host = 3\n")
        (site / "a.md").write_text(article(*(f"{slow.base}/page/{index}" for index in range(30))))
        code, findings, _ = check(site, "a.md")
    assert findings == [] and code == 0
    assert slow.requests.total() == 30
    assert 1 < slow.max_in_flight <= 3


def test_host_interval_spaces_the_requests_to_one_host(site: Path, server: LinkServer) -> None:
    configure(site, "host-interval = 0.2\n")
    (site / "a.md").write_text(article(*(f"{server.base}/page/{index}" for index in range(4))))
    assert check(site, "a.md")[1] == []
    starts = sorted(when for when, _, _ in server.times)
    assert len(starts) == 4 and all(later - earlier >= 0.19 for earlier, later in pairwise(starts))


def test_excluded_urls_are_not_requested(site: Path, server: LinkServer) -> None:
    configure(site, 'exclude = ["/gone$", "^https://example\\\\.com/"]\n')
    (site / "a.md").write_text(article(f"{server.base}/gone"))
    assert check(site, "a.md")[1] == [] and server.total() == 0


def test_accepted_statuses_are_configurable(site: Path, server: LinkServer) -> None:
    configure(site, 'accept = ["200..299", 403]\n')
    (site / "a.md").write_text(article(f"{server.base}/forbidden"))
    assert check(site, "a.md")[1] == []


def test_no_network_without_links(site: Path, server: LinkServer) -> None:
    (site / "a.md").write_text(article(f"{server.base}/gone"))
    result = run_cli("check", "--output-format", "json", "a.md", cwd=site)
    assert not any(item["code"].startswith("FM8") for item in json.loads(result.out))
    assert server.total() == 0


def test_the_run_outcome_is_not_reused_for_links(site: Path, server: LinkServer, tmp_path: Path) -> None:
    """The result cache may remember a whole run; with links it must still ask the link cache."""
    (site / "a.md").write_text(article(f"{server.base}/gone"))
    check(site, "a.md")
    (site / "pyproject.toml").write_text(
        (site / "pyproject.toml").read_text() + "cache-failure-max-age = 0\n"
    )  # the same files, but the failure is now too old to trust
    check(site, "a.md")
    assert server.requests["HEAD", "/gone"] == 2


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ('timeout = "soon"', "`links.timeout`"),
        ("max-per-host = 0", "`links.max-per-host`"),
        ('accept = ["ok"]', "`links.accept`"),
        ('exclude = ["(a"]', "`links.exclude`"),
        ("retries = 3", "unknown key `links.retries`"),
    ],
)
def test_bad_settings_are_usage_errors_naming_the_key(site: Path, setting: str, named: str) -> None:
    configure(site, setting + "\n")
    (site / "a.md").write_text(article("https://example.com/x"))
    result = run_cli("check", "a.md", cwd=site)  # validated when loaded, with or without --links
    assert result.code == 2 and named in result.err and "pyproject.toml" in result.err


def test_bad_allow_private_hosts_is_a_usage_error(site: Path) -> None:
    configure(site, allow='["10.0.0.0/33"]')
    (site / "a.md").write_text(article("https://example.com/x"))
    result = run_cli("check", "a.md", cwd=site)
    assert result.code == 2 and "`allow-private-hosts`: `10.0.0.0/33` is not a network" in result.err


def test_every_output_format_has_the_findings(site: Path, server: LinkServer) -> None:
    (site / "a.md").write_text(article(f"{server.base}/gone"))
    sarif = json.loads(run_cli("check", "--links", "--select", "FM8", "--output-format", "sarif", "a.md", cwd=site).out)
    result = sarif["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (result["ruleId"], region["startLine"], region["startColumn"]) == ("FM801", FIRST_IMAGE_LINE, 10)
    github = run_cli("check", "--links", "--select", "FM8", "--output-format", "github", "a.md", cwd=site).out
    assert f"::error file=a.md,line={FIRST_IMAGE_LINE},col=10," in github and "FM801" in github
    assert server.requests["HEAD", "/gone"] == 1  # the second run answered from the link cache


def test_moved_links_are_fixed_with_unsafe_fixes(site: Path, server: LinkServer) -> None:
    (site / "a.md").write_text(article(f"{server.base}/moved", f"{server.base}/ok"))
    safe = run_cli("check", "--links", "--select", "FM8", "--fix", "a.md", cwd=site)
    assert f"{server.base}/moved" in (site / "a.md").read_text()  # an unsafe fix: not without --unsafe-fixes
    assert "FM802" in safe.out
    result = run_cli("check", "--links", "--select", "FM8", "--fix", "--unsafe-fixes", "a.md", cwd=site)
    assert (site / "a.md").read_text() == article(f"{server.base}/ok", f"{server.base}/ok")
    assert "FM802" not in result.out and result.code == 0


def test_site_relative_links_are_checked_against_the_files(site: Path) -> None:
    (site / "assets" / "images").mkdir(parents=True)
    (site / "assets" / "images" / "logo.png").write_bytes(b"png")
    (site / "about.md").write_text("# About\n")
    outside = site.parent / "outside.png"
    outside.write_bytes(b"png")
    (site / "assets" / "escape.png").symlink_to(outside)
    urls = [
        "/assets/images/logo.png",
        "/assets/images/missing.png",
        "/about",
        "/../../etc/passwd",
        "/assets/escape.png",
        "/assets/images/logo.png?v=2#top",
    ]
    (site / "_news").mkdir()
    (site / "_news" / "a.md").write_text(article(*urls))
    code, findings, _ = check(site, "--offline", "_news/a.md")
    assert found(findings) == [
        (os.path.join("_news", "a.md"), FIRST_IMAGE_LINE + 1, 10, "FM806"),
        (os.path.join("_news", "a.md"), FIRST_IMAGE_LINE + 3, 10, "FM806"),
        (os.path.join("_news", "a.md"), FIRST_IMAGE_LINE + 4, 10, "FM806"),
    ]
    assert "no file assets/images/missing.png in the site root" in findings[0]["message"]
    assert "no file etc/passwd" in findings[1]["message"]  # /../.. stays at the site root
    assert "leads outside the site root" in findings[2]["message"]
    assert code == 1


def test_site_root_setting(site: Path) -> None:
    (site / "public" / "assets").mkdir(parents=True)
    (site / "public" / "assets" / "logo.png").write_bytes(b"png")
    configure(site, 'site-root = "public"\n')
    (site / "a.md").write_text(article("/assets/logo.png"))
    assert check(site, "--offline", "a.md")[1] == []
    configure(site)
    assert [item["code"] for item in check(site, "--offline", "a.md")[1]] == ["FM806"]


def test_the_installed_command(site: Path, server: LinkServer, user_cache: Path) -> None:
    (site / "a.md").write_text(article(f"{server.base}/gone", f"{server.base}/ok"))
    script = Path(sys.executable).with_name("fmlint")
    command = [str(script), "check", "--links", "--select", "FM8", "--output-format", "concise", "a.md"]
    process = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=60, check=False)
    assert process.returncode == 1
    assert process.stdout.startswith(f"a.md:{FIRST_IMAGE_LINE}:10: FM801 `images[0].url`: dead link: ")
    assert process.stderr == ""  # no progress display when stderr is not a terminal
    assert server.requests["HEAD", "/ok"] == 1 and user_cache.is_file()


def test_progress_is_drawn_on_a_terminal_only(site: Path, server: LinkServer) -> None:
    import pty

    (site / "a.md").write_text(article(f"{server.base}/ok", f"{server.base}/gone"))
    script = str(Path(sys.executable).with_name("fmlint"))
    primary, secondary = pty.openpty()
    command = [script, "check", "--links", "--select", "FM8", "--no-cache", "a.md"]
    process = subprocess.Popen(command, cwd=site, stdout=subprocess.PIPE, stderr=secondary, env={**os.environ})
    os.close(secondary)
    drawn = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal's other end is closed: the command is done
            break
        if not chunk:
            break
        drawn += chunk
    os.close(primary)
    out, _ = process.communicate(timeout=60)
    assert b"checking links" in drawn
    assert b"checking links" not in out and b"FM801" in out  # the findings are on stdout, alone


def test_runs_without_links_import_no_http_client(site: Path) -> None:
    (site / "a.md").write_text(article("https://example.com/x"))
    probe = (
        "import sys\n"
        "from fmlint.cli import main\n"
        "main(['check', '--quiet', 'a.md'])\n"
        "assert not {'aiohttp', 'rich', 'fmlint.links.probe'} & set(sys.modules), sorted(sys.modules)\n"
    )
    process = subprocess.run([sys.executable, "-c", probe], cwd=site, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stderr
