"""The ``make demo`` program (``gameservices demo``): every service in one headless game loop.

Modules: ``packs`` (generated asset packs), ``setup`` (server thread, bots), ``game`` (the loop's
logic), ``tutorial`` (the tutorial's tick, measured for comparison), ``frames`` (timing),
``ui`` (rich tables and progress), ``report`` (the closing table), ``run`` (the sequence).
"""

__all__: list[str] = []
