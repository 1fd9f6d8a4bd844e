"""Every URL pattern of the project, found by walking the resolver tree."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class UrlEntry:
    """One URL pattern: its reversible name (``"admin:index"``), route and keyword arguments."""

    name: str | None
    namespace: str
    route: str
    kwarg_names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.name or '(unnamed)'} → /{self.route}"


def all_urls(urlconf: str | None = None) -> list[UrlEntry]:
    """Every pattern in the URLconf, depth first, in the order Django tries them."""
    found: list[UrlEntry] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, kwargs: tuple[str, ...]) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            groups = tuple(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, route, inner, kwargs + groups)
            elif isinstance(pattern, URLPattern):
                name = None
                if pattern.name:
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append(UrlEntry(name, namespace, route, kwargs + groups))

    walk(get_resolver(urlconf), "", "", ())
    return found


def named_urls(urlconf: str | None = None) -> list[UrlEntry]:
    """One entry per URL name (the first pattern of a name wins, as when Django resolves)."""
    seen: dict[str, UrlEntry] = {}
    for entry in all_urls(urlconf):
        if entry.name and entry.name not in seen:
            seen[entry.name] = entry
    return list(seen.values())


def unnamed_urls(
    urlconf: str | None = None, *, ignore_namespaces: frozenset[str]
) -> list[UrlEntry]:
    """Patterns without a name outside ``ignore_namespaces``: they cannot be classified."""
    return [
        entry
        for entry in all_urls(urlconf)
        if entry.name is None and entry.namespace.split(":")[0] not in ignore_namespaces
    ]
