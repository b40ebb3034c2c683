"""Tricky claim / cited-text pairs for the audit's checks, written before the checks were rebuilt.

Each row says what the check must find: ``conflict`` (the cited text says something else), ``agree`` (no
conflict, nothing missing) or ``missing`` (the claim states something the cited text does not).
"""

from __future__ import annotations

import pytest
from groundqa.credibility.checks import check_names, check_negation, check_numbers, names

NUMBERS = [
    # identifiers that contain digits are names, not numbers
    ("COVID-19 patients often lose their sense of smell.", "SARS-CoV-2 infection often causes loss of smell.", "agree"),
    ("H1N1 vaccine side effects are mild.", "Side effects of the H1N1 vaccine were mild in 2009.", "agree"),
    ("BRCA1 carriers have a higher risk.", "Women with BRCA2 mutations have a higher risk.", "agree"),
    ("IL-6 levels rise in severe disease.", "IL-6 levels rose by 30% in severe disease.", "agree"),
    ("Stage IVB disease is treated with chemotherapy.", "Stage IVB disease is treated with chemotherapy.", "agree"),
    # the figure differs
    ("Patients live an average of 29 months.", "Patients live an average of 19 months.", "conflict"),
    ("About 30% of patients respond.", "About 13% of patients respond.", "conflict"),
    ("Stage III disease is treated with surgery.", "Stage IV disease is treated with surgery.", "conflict"),
    # units matter, and equal quantities in other units agree
    ("Patients live an average of 19 years.", "Patients live an average of 19 months.", "conflict"),
    ("Most patients recover within two years.", "Most patients recover within 24 months.", "agree"),
    ("The usual dose is 1 g a day.", "The usual dose is 1,000 mg a day.", "agree"),
    ("Five percent of cases are inherited.", "5% of cases are inherited.", "agree"),
    # ranges and bounds
    ("About 15% of cases are inherited.", "Between 10 and 20% of cases are inherited.", "agree"),
    ("More than 50 percent of patients improve.", "About 60% of patients improve.", "agree"),
    # a figure about something else in the cited sentence is no contradiction of the claim's unit
    ("Median survival is 29 months.", "Median survival is 19 months in a study of 29 patients.", "conflict"),
    ("Symptoms start after 3 days.", "The study enrolled 120 patients.", "missing"),
]

NEGATION = [
    ("Metastatic cancer is curable.", "Metastatic cancer is not curable.", "conflict"),
    ("The vaccine increases the risk of stroke.",
     "The vaccine did not, according to the trial's final analysis, increase the risk of stroke.", "conflict"),
    ("The drug causes liver damage.", "The drug was not associated with liver damage.", "conflict"),
    ("Vitamin C cures COVID-19.", "There is no evidence that vitamin C cures COVID-19.", "conflict"),
    ("Metastatic breast cancer is curable.", "Metastatic breast cancer is incurable.", "conflict"),
    ("The infection is likely to spread.", "The infection is unlikely to spread.", "conflict"),
    # negative-looking prefixes that are not negations
    ("Radiation is used after surgery.", "Irradiation is used after surgery.", "agree"),
    ("Aging affects the brain.", "Imaging shows how the brain is affected.", "agree"),
    ("Patients were charged for the test.", "Patients were discharged after the test.", "agree"),
    ("Order the test early.", "The disorder is found early.", "agree"),
    # scope: another clause, and "not only"
    ("The drug reduces mortality.", "Although it is not approved in Europe, the drug reduces mortality.", "agree"),
    ("Chemotherapy is an option.", "Chemotherapy is not the only option.", "agree"),
    ("Surgery relieves pain.", "Surgery not only relieves pain but also improves sleep.", "agree"),
    ("The drug reduces mortality.", "The drug reduces mortality.", "agree"),
]

NAMES = [
    ("Tylenol relieves the pain.", "Acetaminophen relieves the pain.", "agree"),
    ("Chemo is the backbone of treatment.", "Chemotherapy is the backbone of treatment.", "agree"),
    ("Cisplatin is given with radiotherapy.", "Carboplatin is given with radiotherapy.", "conflict"),
    ("The H1N1 vaccine is safe.", "The H3N2 vaccine is safe.", "conflict"),
    ("BRCA1 carriers have a higher risk.", "BRCA2 carriers have a higher risk.", "conflict"),
    ("People with type 1 diabetes need insulin.", "People with type 2 diabetes need insulin.", "conflict"),
    ("Wearing a surgical mask reduces spread.", "Wearing a surgical mask reduces spread.", "agree"),
    ("Surgery removes the tumour.", "The tumour is treated with radiotherapy.", "conflict"),
    ("Docetaxel improves survival.", "Treatment improves survival.", "missing"),
]


def _outcome(agreement) -> str:
    if agreement.conflicts:
        return "conflict"
    return "missing" if agreement.missing else "agree"


@pytest.mark.parametrize(("claim", "cited", "expected"), NUMBERS)
def test_numbers(claim: str, cited: str, expected: str) -> None:
    assert _outcome(check_numbers(claim, cited, cited)) == expected


@pytest.mark.parametrize(("claim", "cited", "expected"), NEGATION)
def test_negation(claim: str, cited: str, expected: str) -> None:
    assert _outcome(check_negation(claim, cited)) == expected


@pytest.mark.parametrize(("claim", "cited", "expected"), NAMES)
def test_names(claim: str, cited: str, expected: str) -> None:
    assert _outcome(check_names(claim, cited, cited)) == expected


@pytest.mark.parametrize("text", ["Wear a surgical mask in crowded places.",
                                  "Radiation exposure from CT scans is low.",
                                  "The operation of the clinic is funded by donations."])
def test_treatment_words_in_other_senses_are_no_treatment(text: str) -> None:
    assert not [n for n in names(text) if n.kind == "treatment"]


def test_identifiers_are_names_not_numbers() -> None:
    found = {n.name for n in names("COVID-19 and SARS-CoV-2 in BRCA1 carriers with raised IL-6")}
    assert {"covid-19", "sars-cov-2", "brca1", "il-6"} <= found
