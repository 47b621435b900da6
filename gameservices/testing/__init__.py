"""Public test helpers: a reference server (in-process or as a subprocess), fault injection,
a mock transport (``Client(url, transport=MockTransport(handler))``), ``tick_until`` and a
fake engine.

``ReferenceServer`` needs the ``server`` extra; the pytest fixture lives in
``gameservices.testing.pytest_plugin`` (add it to ``pytest_plugins``), so importing this package
never imports pytest.
"""

from ..server.faults import Faults
from ._server import ReferenceServer, start_serve_process
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
    "start_serve_process",
    "tick_until",
]
