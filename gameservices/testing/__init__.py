"""Public test helpers: a reference server fixture and a fake engine."""

from ..server.faults import Faults

__all__ = ["Faults"]
