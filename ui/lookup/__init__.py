"""Customer lookup: the search tab, its results model, the customer panel and the identity
check that unmasks personal data."""

from ui.lookup.tab import LookupTab

__all__ = ["LookupTab"]
