"""Regions, enterprises, party organizations and their links."""


def __getattr__(name):
    """django-simple-history names the history models of models kept outside models.py (channels.py) as
    `organizations.HistoricalX`; resolve them there, so that `manage.py shell`'s auto-imports and pickling find
    them (PEP 562)."""
    if name.startswith("Historical"):
        from . import channels  # noqa: PLC0415

        if hasattr(channels, name):
            return getattr(channels, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
