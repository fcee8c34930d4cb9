"""One exception and warning hierarchy for the whole package.

Every message says what was expected, what was found, where (file, row, column) and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "FramingError",
    "SchemaError",
    "ParameterError",
    "ParseError",
    "EmptyInputError",
    "DataNotFoundError",
    "ChecksumError",
    "FetchError",
    "CardError",
    "CodebookError",
    "ConfigError",
    "FramingWarning",
    "DataQualityWarning",
    "SmallCellWarning",
    "FewClustersWarning",
    "EstimationWarning",
]


class FramingError(Exception):
    """Base class of every error raised by :mod:`framing`."""


class SchemaError(FramingError, ValueError):
    """A table lacks a required column or a column has values of the wrong kind."""


class ParameterError(FramingError, ValueError):
    """A function or estimator was given a parameter value it cannot use."""


class ParseError(FramingError, ValueError):
    """A file could not be parsed in the format it claims to have."""


class EmptyInputError(ParseError):
    """A file or table holds no rows."""


class DataNotFoundError(FramingError, FileNotFoundError):
    """A corpus or file is not where the data home says it should be."""


class ChecksumError(FramingError):
    """A file's SHA-256 differs from the one recorded in its corpus card."""


class FetchError(FramingError):
    """A corpus could not be downloaded or built from its upstream sources."""


class CardError(FramingError):
    """A corpus card is missing a field or has an invalid one."""


class CodebookError(FramingError, ValueError):
    """A codebook file is missing a field, has an invalid one, or refers to something unknown."""


class ConfigError(FramingError, ValueError):
    """A study config has an unknown key, a value of the wrong type, or lacks a required key."""


class FramingWarning(UserWarning):
    """Base class of every warning issued by :mod:`framing`."""


class DataQualityWarning(FramingWarning):
    """The data can be used, but something in it deserves a look (the message says where)."""


class SmallCellWarning(FramingWarning):
    """A contingency table has cells too small for the chosen test (or a group is tiny)."""


class FewClustersWarning(FramingWarning):
    """Cluster-robust standard errors rest on too few clusters to be trusted."""


class EstimationWarning(FramingWarning):
    """A model could not be estimated (separation, no variation); its rows hold NaN."""
