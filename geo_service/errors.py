"""Errors a user can act on: shown as one line, never as a traceback."""


class GeoServiceError(Exception):
    """Base of the errors the CLI and API turn into a clear message."""


class SetupError(GeoServiceError):
    """The environment is not ready (database, extensions, ports, directories)."""


class NotFoundError(GeoServiceError):
    pass


class ValidationError(GeoServiceError):
    pass


class UnavailableError(GeoServiceError):
    """The server cannot answer now (busy, or a part of it took too long): retry later."""
