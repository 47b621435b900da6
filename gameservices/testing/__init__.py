"""Public test helpers: a reference server (in-process or as a subprocess), fault injection,
a mock transport (``Client(url, transport=MockTransport(handler))``), ``tick_until`` and a
fake engine.

Everything here imports on a base install; starting a ``ReferenceServer`` (or ``ServerThread``)
or using ``Faults`` needs the ``server`` extra and otherwise raises ``ModuleNotFoundError`` naming
it. The pytest fixture lives in ``gameservices.testing.pytest_plugin`` (add it to
``pytest_plugins``), so importing this package never imports pytest.
"""

from typing import TYPE_CHECKING, Any

from ._server import ReferenceServer, serve_process, start_serve_process
from ._ticks import tick_until
from .mock_transport import Handler, MockTransport, json_response
from .settings import ServerSettings

__all__ = [
    "Faults",
    "Handler",
    "MockTransport",
    "ReferenceServer",
    "ServerSettings",
    "json_response",
    "serve_process",
    "start_serve_process",
    "tick_until",
]

try:  # with the server extra, import the server now, not on a test's event loop later
    from ..server.faults import Faults
except ModuleNotFoundError as missing:  # without it, Faults (and a server) names the extra
    if TYPE_CHECKING:
        from ..server.faults import Faults
    _MISSING = ModuleNotFoundError(str(missing), name=missing.name)  # the server's one line

    def __getattr__(name: str) -> Any:
        if name == "Faults":
            raise _MISSING
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
