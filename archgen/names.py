"""AWS names: each building block derives the names it creates, once, with the limit
of the namespace they live in. The engine checks every name a blueprint would create
for length (AG009) and for collisions across the whole blueprint (AG010)."""

from __future__ import annotations

from dataclasses import dataclass

from .findings import YamlPath


@dataclass(frozen=True)
class Namespace:
    key: str
    what: str  # "SQS queue"
    limit: int  # characters
    url: str  # the AWS page with the limit


NAMESPACES: dict[str, Namespace] = {}


def namespace(key: str, what: str, limit: int, url: str) -> Namespace:
    if key in NAMESPACES:
        raise ValueError(f"name namespace {key!r} is defined twice")
    NAMESPACES[key] = Namespace(key, what, limit, url)
    return NAMESPACES[key]


@dataclass(frozen=True)
class AwsName:
    """A name archgen will create, and the blueprint element it comes from."""

    namespace: Namespace
    name: str
    path: YamlPath  # relative to the component

    def __str__(self) -> str:
        return self.name


def join(*parts: str) -> str:
    """`shop`, `orders`, `audit` -> `shop-orders-audit`."""
    return "-".join(p for p in parts if p)
