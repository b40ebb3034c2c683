"""Domain exceptions: raised in the library, translated to exit codes or HTTP statuses at the edges."""


class GroundqaError(Exception):
    """Base class: the message says what was wrong and what to do."""


class LoadError(GroundqaError):
    """A file could not be turned into a document (unreadable, empty, encrypted, malformed)."""


class ManifestError(GroundqaError):
    """The corpus manifest is malformed or names something that does not exist."""


class IndexMissingError(GroundqaError):
    """No index exists at the configured location."""


class IndexMismatchError(GroundqaError):
    """The index was built with another model or format version."""


class NotFoundError(GroundqaError):
    """An id names no passage or source."""


class InvalidRequestError(GroundqaError):
    """A query or parameter is out of range."""
