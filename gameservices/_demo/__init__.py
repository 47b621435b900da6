"""The ``make demo`` program (``gameservices demo``): every service in one headless game loop.

Modules: ``packs`` (generated asset packs), ``world`` (the server's cup and server function),
``setup`` (server thread, bots), ``buddy`` (the bot online during the game, who answers),
``game`` (the loop's logic), ``online`` (its social and realtime steps), ``progress`` (the cloud
save and the last online steps), ``services`` (a row per service), ``tutorial`` (the tutorial's
tick, measured for comparison), ``frames`` (timing), ``ui`` (rich tables and progress),
``report`` (the closing tables), ``run`` (the sequence).
"""

__all__: list[str] = []
