"""Link checks never request what the project did not allow: private addresses, local names,
names that resolve to them, and redirects to them; and a hostile server ends no run."""

from __future__ import annotations

from pathlib import Path

import pytest

import linkserver
from linkserver import FIRST_IMAGE_LINE, LinkServer, article, check, configure, found

_user_cache = pytest.fixture(autouse=True, name="_user_cache")(linkserver.isolated_user_cache)
server = pytest.fixture(name="server")(linkserver.running_server)
site = pytest.fixture(name="site")(linkserver.configured_site)


def test_private_addresses_are_not_requested_without_allow_private_hosts(site: Path, server: LinkServer) -> None:
    configure(site, allow="")
    (site / "a.md").write_text(article(f"{server.base}/ok", "http://169.254.169.254/latest/meta-data/"))
    _, findings, _ = check(site, "a.md")
    assert server.total() == 0
    assert found(findings) == [("a.md", FIRST_IMAGE_LINE, 10, "FM805"), ("a.md", FIRST_IMAGE_LINE + 1, 10, "FM805")]
    assert "127.0.0.1 is the loopback address; list it in `allow-private-hosts`" in findings[0]["message"]
    assert "169.254.169.254 is a link-local address" in findings[1]["message"]


def test_local_names_and_ipv6_loopback_are_refused(site: Path) -> None:
    configure(site, allow="")
    urls = ["http://localhost:9/x", "http://[::1]:9/x", "http://[::ffff:127.0.0.1]:9/x", "http://metadata.internal/x"]
    (site / "a.md").write_text(article(*urls))
    _, findings, _ = check(site, "a.md")
    assert [item["code"] for item in findings] == ["FM805"] * 4


def test_hostile_redirects_are_could_not_be_checked(site: Path, server: LinkServer) -> None:
    (site / "a.md").write_text(article(f"{server.base}/bad-location", f"{server.base}/to-ftp", f"{server.base}/loop-a"))
    first = check(site, "a.md")
    assert found(first[1]) == [
        ("a.md", FIRST_IMAGE_LINE, 10, "FM803"),
        ("a.md", FIRST_IMAGE_LINE + 1, 10, "FM803"),
        ("a.md", FIRST_IMAGE_LINE + 2, 10, "FM804"),
    ]
    assert "which is no URL" in first[1][0]["message"] and "ftp://example.com/file" in first[1][1]["message"]
    asked = server.total()
    assert check(site, "a.md") == first and server.total() == asked  # such answers are cached too


def test_redirects_to_private_addresses_are_refused(site: Path, server: LinkServer) -> None:
    (site / "a.md").write_text(article(f"{server.base}/to-metadata"))
    _, findings, _ = check(site, "a.md")
    assert found(findings) == [("a.md", FIRST_IMAGE_LINE, 10, "FM805")]
    assert "it redirects to http://169.254.169.254/latest/meta-data/" in findings[0]["message"]


def test_names_are_checked_by_the_address_they_resolve_to() -> None:
    """The connector connects to what the resolver returns: only checked addresses."""
    import asyncio

    from fmlint.links.address import AddressPolicy, Refused
    from fmlint.links.probe import CheckedResolver

    async def addresses(policy: AddressPolicy, host: str) -> list[str]:
        return [result["host"] for result in await CheckedResolver(policy, 5.0).resolve(host, 80)]

    with pytest.raises(Refused, match=r"localhost, which resolves to 127\.0\.0\.1 is the loopback address"):
        asyncio.run(addresses(AddressPolicy([]), "localhost"))
    assert asyncio.run(addresses(AddressPolicy(["127.0.0.0/8"]), "localhost")) == ["127.0.0.1"]
    with pytest.raises(Refused, match=r"169\.254\.169\.254 is a link-local address"):
        asyncio.run(addresses(AddressPolicy(["127.0.0.1"]), "169.254.169.254"))
