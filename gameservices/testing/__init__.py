"""Public test helpers: a reference server fixture, fault injection, ``tick_until`` and a fake
engine.

``ReferenceServer`` needs the ``server`` extra; the pytest fixture lives in
``gameservices.testing.pytest_plugin`` (add it to ``pytest_plugins``), so importing this package
never imports pytest.
"""

from ..server.faults import Faults
from ._server import ReferenceServer
from ._ticks import tick_until

__all__ = ["Faults", "ReferenceServer", "tick_until"]
