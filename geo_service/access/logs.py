"""No personal data in logs: ID and mobile numbers are masked in every record the server logs.

Access-log lines carry query strings, error records carry database messages ("Key
(landlord_phone)=(…)"), SQL echo carries parameters; the filter masks all of them.
"""

import logging

from geo_service.access.personal import redact

# Loggers whose records are written by the server (filters on a logger see only the
# records created on it, so each one is named).
LOGGERS = (
    "",
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "fastapi",
    "geo_service",
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
)


class RedactPersonalData(logging.Filter):
    """Rewrite a record's message (and traceback) with personal numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and all(isinstance(a, _PLAIN) for a in args):
            # Masked one by one: formatters such as uvicorn's access log unpack the arguments.
            record.msg = redact(str(record.msg))
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        else:
            try:
                message = record.getMessage()
            except Exception:  # a malformed record: the handler reports it
                return True
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


_PLAIN = (str, int, float, type(None))
_FILTER = RedactPersonalData()


def install_log_redaction() -> None:
    """Attach the filter (idempotent); logging configuration later keeps logger filters."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
