"""Public test helpers: a reference server fixture and a fake engine."""
