"""Checks that a claim and the text it cites agree on figures, names and negation.

Embedding similarity and even a trained verifier can miss "19 months" against "29 months", cisplatin against
carboplatin, or "curable" against "not curable"; these checks read them. They feed the verifier's verdict and
override it only where they are certain (credibility.verifier).
"""

from groundqa.credibility.checks.agreement import Agreement
from groundqa.credibility.checks.names import Name, check_names, names
from groundqa.credibility.checks.negation import check_negation
from groundqa.credibility.checks.numbers import Quantity, check_numbers, quantities

__all__ = ["Agreement", "Name", "Quantity", "check_names", "check_negation", "check_numbers", "names", "quantities",
           "warm_up"]


def warm_up() -> None:
    """Load the drug dictionary, the unit tables and the negation pipeline ahead of the first audit."""
    import importlib

    for module in ("names", "numbers", "negation"):  # the modules, not the functions this package re-exports
        importlib.import_module(f"groundqa.credibility.checks.{module}").warm_up()
