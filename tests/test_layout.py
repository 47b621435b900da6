"""The architecture as tests: which component may import which (docs/architecture.md).

Imports are read with ``ast`` from every module of the package, lazy ones inside functions and
``TYPE_CHECKING`` blocks included: a rule holds for every import a module could ever run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import gameservices
import gameservices._protocol.routes

ROOT = Path(gameservices.__file__).parent
CLIENT_SIDE = ("_client", "_outbox", "_assets", "_runner")
# Shared leaves: every component may use them; they import no component.
LEAVES = ("_exceptions", "_config", "_lifecycle", "_checks")
PROTOCOL_MAY_USE = ("_protocol", "_exceptions", "_checks")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module is not None
                yield node.module
                continue
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join([*base, node.module] if node.module else base)
            # ``from . import ambient`` names a module too
            yield from (f"{target}.{a.name}" for a in node.names) if not node.module else [target]


@cache
def graph() -> dict[str, frozenset[str]]:
    return {_module(p): frozenset(_imports(p)) for p in ROOT.rglob("*.py")}


def component(module: str) -> str:
    """``gameservices._client.calls`` -> ``_client``; top-level modules name themselves."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "gameservices" else parts[0]


def imports_of(prefix: str) -> Iterator[tuple[str, str]]:
    """(module, imported name) for every module of component ``prefix``."""
    for module, targets in graph().items():
        if component(module) == prefix:
            yield from ((module, t) for t in targets)


def offenders(prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{m} imports {t}"
        for m, t in imports_of(prefix)
        if t.split(".")[0] in forbidden or component(t) in forbidden
    )


def test_the_graph_is_read() -> None:  # the rules below are not vacuous
    assert "aiohttp" in graph()["gameservices._client.transport"]
    assert "gameservices._protocol.retry" in graph()["gameservices._client.calls"]
    assert "gameservices._runner.ambient" in graph()["gameservices._runner.runner"]


def test_protocol_is_pure() -> None:
    """No aiohttp, no asyncio, and no component that could bring them in (not even ``_config``:
    RetryPolicy's default sleep is asyncio's; ``retry.Backoff`` is the part it reads)."""
    bad = [
        f"{m} imports {t}"
        for m, t in imports_of("_protocol")
        if t.split(".")[0] in ("aiohttp", "asyncio")
        or (t.startswith("gameservices") and component(t) not in PROTOCOL_MAY_USE)
    ]
    assert bad == []


def test_shared_leaves_import_no_component() -> None:
    for leaf in LEAVES:
        bad = [
            t
            for _, t in imports_of(leaf)
            if t.startswith("gameservices") and component(t) not in LEAVES
        ]
        assert bad == [], leaf
    assert offenders("_checks", ("asyncio",)) == []  # the server and _protocol use it
    assert offenders("_exceptions", ("asyncio",)) == []


def test_client_side_and_server_never_import_each_other() -> None:
    for side in CLIENT_SIDE:
        assert offenders(side, ("server", "testing", "_cli", "_demo")) == [], side
    assert offenders("server", (*CLIENT_SIDE, "testing", "_cli", "_demo", "engines")) == []


def test_data_flows_one_way_through_the_client_side() -> None:
    """The runner knows no HTTP; the outbox and assets never see the client, only what it hands
    them, except that assets use the transport seam's types (``_client.transport``)."""
    assert offenders("_runner", ("_client", "_outbox", "_assets", "_protocol")) == []
    assert offenders("_outbox", ("_client", "_assets")) == []
    assert offenders("_assets", ("_outbox",)) == []
    assert [
        f"{m} imports {t}"
        for m, t in imports_of("_assets")
        if component(t) == "_client" and t != "gameservices._client.transport"
    ] == []


def test_engines_are_never_imported_by_the_package() -> None:
    """Engine glue imports bge/panda3d/pygame; only the demo (a game itself) runs one."""
    users = {
        component(m) for m, targets in graph().items() for t in targets if component(t) == "engines"
    }
    assert users <= {"engines", "_demo"}, users


def test_only_the_transport_and_the_server_touch_aiohttp() -> None:
    """Exceptions, each hosting the server: ``testing`` runs ``ReferenceServer`` (aiohttp.web)
    and the ``serve`` command runs the server's app on a site."""
    users = {
        m for m, targets in graph().items() if any(t.split(".")[0] == "aiohttp" for t in targets)
    }
    allowed = {
        "gameservices._client.transport",
        "gameservices._client.translated",  # its error translation
        "gameservices._cli.serve",
        "gameservices._client.websocket",  # the transport's WebSocket (the realtime socket)
    }
    assert {
        m for m in users if m not in allowed and component(m) not in ("server", "testing")
    } == set()
    testing_users = {m for m in users if component(m) == "testing"}
    assert testing_users == {"gameservices.testing._server"}, testing_users


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (prose may name a route)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            found.add(id(first.value))
    return found


def route_literals() -> list[str]:
    """Every string in the package's code (not its docstrings) that spells an API path."""
    routes_module = ROOT / "_protocol" / "routes.py"
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == routes_module:
            continue
        tree = ast.parse(path.read_text(), str(path))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and node.value.startswith(("/v2", "/healthcheck", "/ws"))
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    return found


def test_route_paths_are_spelt_once() -> None:
    """A route written on both sides drifts (the client calls what the server no longer
    serves). Put the template in gameservices/_protocol/routes.py; the client builds paths
    with ``routes.fill``, the server registers the template, the OpenAPI document lists it."""
    assert route_literals() == []
    assert "/v2/leaderboard/{leaderboard_id}" in vars(gameservices._protocol.routes).values()
