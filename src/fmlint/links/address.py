"""Which hosts a link check may contact: public addresses only, unless the project allows more.

A committed article must not make CI probe its own network, so loopback, private,
link-local (such as the cloud metadata address 169.254.169.254), shared, reserved and
multicast addresses, and their IPv6 equivalents, are refused, also when a name
resolves to them. The check is made on the address that is then connected to, so a
name that resolves differently a moment later (DNS rebinding) cannot switch it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The host is not public and not allowed; the message says what it is."""


def parse_address(text: str) -> Address | None:
    """``text`` as an IP address (brackets and an IPv6 zone dropped), or ``None`` for a name."""
    try:
        address = ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address


def is_public(address: Address) -> bool:
    return address.is_global and not address.is_multicast


class AddressPolicy:
    """``allow-private-hosts``: host names, addresses and networks that may be contacted anyway."""

    def __init__(self, allowed: Iterable[str], purpose: str = "to check it") -> None:
        self.purpose = purpose  # what listing a host would let fmlint do, for the messages
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in allowed:
            text = item.strip().lower().strip("[]").rstrip(".")
            address = parse_address(text)
            if "/" in text:
                self.networks.append(ipaddress.ip_network(text, strict=False))
            elif address is not None:
                self.networks.append(ipaddress.ip_network(address))
            else:
                self.names.add(text)

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names

    def allows(self, host: str, address: Address) -> bool:
        """Whether ``address`` (which ``host`` names) may be connected to."""
        if is_public(address) or self.allows_name(host):
            return True
        return any(address.version == network.version and address in network for network in self.networks)

    def refusal(self, host: str, address: Address) -> str:
        what = "the loopback address" if address.is_loopback else "a non-public address"
        if address.is_link_local:
            what = "a link-local address"
        named = f"{address}" if parse_address(host) is not None else f"{host}, which resolves to {address}"
        return f"{named} is {what}; list it in `allow-private-hosts` {self.purpose}"

    def check_literal(self, host: str) -> None:
        """Refuse a URL whose host is written as a non-public address, before any lookup."""
        address = parse_address(host)
        if address is not None and not self.allows(host, address):
            raise Refused(self.refusal(host, address))
        if address is None and _local_name(host) and not self.allows_name(host):
            raise Refused(f"{host} is a local name; list it in `allow-private-hosts` {self.purpose}")


def _local_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith((".localhost", ".local", ".internal", ".home.arpa"))
