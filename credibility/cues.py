"""Cues of advertising and unsupported claims: features for the flag classifier and the reasons it gives.

The learned classifier (credibility.flags) decides whether a sentence is flagged; a cue only explains a flag
and is one of the classifier's features. The patterns describe the genre (shops, clinics, facilitators,
supplement and lead-generation pages), never a phrase of any particular page: no product names, no sentences
of the bundled corpus. See labels/LABELLING.md for what each kind means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from groundqa.core.records import COMMERCIAL, KINDS, UNVERIFIED  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Cue:
    name: str
    kind: str
    category: str
    pattern: re.Pattern[str]


def _cue(name: str, kind: str, category: str, pattern: str) -> Cue:
    return Cue(name, kind, category, re.compile(pattern, re.IGNORECASE))


_PROVIDER = (r"(clinic|clinics|centre|center|hospital|hospitals|specialists?|doctors|surgeons|experts?|physicians|"
             r"consultants|coordinators?|team|staff|facilit(y|ies)|company|store|shop|pharmacy)")
_PRODUCT = (r"(products?|formula|supplements?|program(me)?s?|system|kit|packages?|plans?|treatments?|therap(y|ies)|"
            r"services?)")
_DAY = r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
PHONE = re.compile(r"(?<![\w/.-])(\+\d{1,3}[\s.-]?)?(\(?\d{1,4}\)?[\s.-]?){2,5}\d{2,4}(?![\w/-])")
_PHONE_DIGITS = re.compile(r"\d")
_MONEY = r"([€$£¥]\s?\d|\d[\d,.]*\s?(€|euros?\b|dollars\b|usd\b|eur\b|gbp\b|aud\b|cad\b|chf\b|rupees\b))"

COMMERCIAL_CUES: tuple[Cue, ...] = (
    _cue("call or write to us", COMMERCIAL, "call to action",
         r"\b(call|phone|ring|contact|text|e-?mail|message|write to|whatsapp)\s+(us|our)\b|\bget in touch\b"),
    _cue("order or buy", COMMERCIAL, "ordering",
         r"\b(order|buy|shop|purchase|subscribe)\s+(now|today|online|here)\b|\badd to (cart|basket|bag)\b|"
         r"\b(view|your) (cart|basket)\b|\bcheckout\b|\bin stock\b|\b(free |fast |express )?shipping\b|"
         r"\bfree delivery\b|\bsold out\b|\bplace (your|an) order\b"),
    _cue("price or discount", COMMERCIAL, "prices and fees",
         rf"{_MONEY}|\b(sale|regular|our|special|retail|list) price\b|\bprices? (start|from)\b|\b\d+\s?% off\b|"
         r"\bdiscount(s|ed)?\b|\bcoupons?\b|\bpromo code\b|\bsave (up to )?\d|\bpayment plans?\b|\bfinancing\b|"
         r"\bhidden (fees|costs|charges)\b|\bper (month|session|bottle)\b"),
    _cue("guarantee or trial", COMMERCIAL, "sales promise",
         r"\bmoney[- ]back\b|\brefund\b|\bfree trial\b|\btry (it )?(for )?free\b|\bno obligation\b|"
         r"\blimited[- ]time\b|\b(act|call|order|book) now\b|\bwhile (supplies|stocks?) last\b|\bhurry\b"),
    _cue("booking request", COMMERCIAL, "booking request",
         r"\b(book|schedule|make|arrange|reserve|request)\b[^.;]{0,40}\b(appointment|consultation|session|visit)s?\b"),
    _cue("lead form", COMMERCIAL, "lead form",
         r"\b(fill (in|out)|complete|submit) (the|this|our|a|an|your) (\w+ ){0,3}form\b|"
         r"\bleave your (name|phone|number|details|contact|e-?mail)|\b(get|request) (a |your )?(free )?quotes?\b|"
         r"\bfree (consultation|quote|assessment|evaluation|second opinion|estimate)\b|\bcall[- ]?back\b"),
    _cue("advertisement", COMMERCIAL, "advertising",
         r"^\s*(advertisement|sponsored|ad|promoted|paid content|partner content)\b|\bsponsored (by|links?|content|"
         r"results)\b|\bbrought to you by\b|\bfrom our sponsors?\b|\baffiliate links?\b"),
    _cue("our products or staff", COMMERCIAL, "self-promotion",
         rf"\bour\s+(\w+[- ]){{0,2}}({_PROVIDER}|{_PRODUCT})\b|\bwe\b,?\s+(\w+\s+){{0,2}}(offer|provide|sell|"
         r"specialise|specialize|guarantee|ship|deliver)\b"),
    _cue("provider superlative", COMMERCIAL, "promotional superlative",
         rf"\b(world[- ]class|market[- ]leading|top[- ]rated|award[- ]winning|renowned|leading|finest|premier|"
         rf"best|top|#1|number one|trusted)\s+(\w+\s+){{0,2}}({_PROVIDER}|{_PRODUCT}|brand)\b"),
    _cue("proprietary product", COMMERCIAL, "proprietary product",
         r"\b(proprietary|patented|patent[- ]pending|exclusive|trademarked|our own)\s+(\w+\s+){0,2}"
         r"(formula|blend|method|technique|protocol|program(me)?|therapy|treatment|technology)\b|[®™]"),
    _cue("testimonial", COMMERCIAL, "testimonial",
         r"\b(i|we) (lost|dropped|gained|feel|felt|highly recommend|recommend|love|tried)\b|\bchanged my life\b|"
         r"\bcustomer (reviews?|testimonials?)\b|\b\d(\.\d)? out of 5 stars\b|\bhappy (customers|clients)\b"),
    _cue("opening hours", COMMERCIAL, "business contact details",
         rf"^{_DAY}\s*[-–]\s*{_DAY}\b[^.]{{0,12}}\d{{1,2}}[:.]?\d{{0,2}}|\bopening hours\b|\bopen (daily|24/7)\b"),
)

_NUMBER = r"(\d[\d,]*([.]\d+)?|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundreds|thousands)"
_TIME_FIGURE = rf"\b{_NUMBER}(\s*(-|–|to)\s*{_NUMBER})?\s+(days?|months?|years?|weeks?)\b"
_RATE_FIGURE = (rf"(\b\d[\d,]*([.]\d+)?\s?(%|percent|per cent)|\b{_NUMBER}\s+(out of|in)\s+(\d+|two|three|four|"
                rf"five|ten)\b|\b{_NUMBER}\s+times\b|\b(over|more than)\s+\d[\d,]+\b|\bthousands of\b|"
                rf"\b\d+\s?(pounds|lbs|kg|kilos|inches)\b)")
_SURVIVAL = r"(surviv\w*|live[sd]?|life expectancy)"
_OUTCOME = (rf"({_SURVIVAL}|cure[sd]?|cure rate|success\w*|remission|response rate|respond\w*|regression|"
            r"accura\w*|detection rate|effective\w*|improve\w*|reduc\w*|lose|lost|loss|weight|return\w*|results?)")

UNVERIFIED_CUES: tuple[Cue, ...] = (
    _cue("outcome figure", UNVERIFIED, "outcome figure",
         rf"{_TIME_FIGURE}[^.;]{{0,40}}\b{_SURVIVAL}\b|\b{_SURVIVAL}\b[^.;]{{0,40}}{_TIME_FIGURE}|"
         rf"{_RATE_FIGURE}[^.;]{{0,50}}\b{_OUTCOME}\b|\b{_OUTCOME}\b[^.;]{{0,50}}{_RATE_FIGURE}"),
    _cue("outcome promise", UNVERIFIED, "outcome promise",
         r"\bguarantee[sd]?\b[^.;]{0,30}\b(results?|recovery|cure|success|loss)\b|\bproven to\b|"
         r"\bclinically (proven|tested|shown)\b|\bcures?\b|\bheals?\b|\bmiracle\b|\bbreakthrough\b|"
         r"\bnever comes? back\b|"
         r"\b(boosts?|strengthens?) (your )?immun\w*|\bdetox\w*\b|\b(burns?|melts?) (fat|away)\b|"
         r"\brevers(es|ing) (the )?(damage|disease|ageing|aging|diabetes)\b|\byou will (see|feel|lose|get)\b|"
         r"\b(eliminates?|erases?|wipes? out)\b"),
    _cue("safety claim", UNVERIFIED, "safety claim",
         r"\bno (known |harmful )?side[- ]effects\b|\bwithout (any )?side[- ]effects\b|"
         r"\b(completely|totally|absolutely|perfectly|100%) (safe|natural and safe|harmless)\b|\brisk[- ]free\b|"
         r"\b(is|are) (very |extremely )?safe\b"),
    _cue("superiority claim", UNVERIFIED, "superiority claim",
         r"\bthe (best|most effective|only effective|safest|fastest|strongest)\b|\bmore effective than\b|"
         r"\bsuperior to\b|\bbetter than (any|all|other)\b|\b(#1|number one)\b|\bunlike (any|other)\b|"
         r"\bnowhere else\b|\bfirst and only\b"),
)

HEDGE = re.compile(r"\b(may|might|could|can|possibly|potentially|generally|usually|often|sometimes|in some cases|"
                   r"seems?|appears?|likely|probably)\b", re.IGNORECASE)
# A source a reader could follow: citation markers, author-year, named studies, journals, agencies.
ATTRIBUTION = re.compile(
    r"\[\d+([,–-]\d+)*\]|\([A-Z][A-Za-z'-]+( et al\.?| and [A-Z][A-Za-z'-]+)?,? \d{4}[a-z]?\)|"
    r"(?i:according to) (the )?(\d{4} )?(?-i:[A-Z][A-Za-z]+)|\b[A-Z]{2,}[-–]?\d+ (?i:trial|study)\b|"
    r"(?i:\b(a|one|the|this|recent|large|several|two|three) (\d{4} )?((randomi[sz]ed|controlled|clinical|cohort|"
    r"cochrane|systematic|observational|population-based|phase \w+)\s+)*"
    r"(trial|study|review|meta-analysis|registry|survey)\b[^.;]{0,40}\b(in|by|at|from|of) (?-i:[A-Z]))|"
    r"(?i:\bpublished in\b)|(?i:\bguidelines? (from|by|of)\b)")
# Looks like a source but names none a reader could check.
VAGUE_ATTRIBUTION = re.compile(r"\b(studies|research|science|scientists|experts|doctors)\s+(have\s+)?(show|shown|"
                               r"prove[sn]?|proved|agree|recommend|confirm)\w*\b|\bclinically proven\b|"
                               r"\baccording to (statistics|specialists|doctors|experts|our|us)\b|"
                               r"\bit is (known|believed|proven)\b", re.IGNORECASE)


def phone_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of phone-number-like strings: 7 to 15 digits in groups; dates, years and ranges are not phones."""
    spans = []
    for match in PHONE.finditer(text):
        raw = match.group().strip()
        digits = len(_PHONE_DIGITS.findall(raw))
        if not 7 <= digits <= 15 or re.fullmatch(r"\d{4}\s*[-–]\s*\d{4}", raw) or re.fullmatch(r"[\d.,]+", raw):
            continue
        spans.append((match.start(), match.start() + len(match.group().rstrip())))
    return spans


CUES: tuple[Cue, ...] = (*COMMERCIAL_CUES, *UNVERIFIED_CUES)
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(c.category for c in CUES))


def cues_in(sentence: str) -> list[Cue]:
    """The cues a sentence matches, in lexicon order."""
    return [c for c in CUES if c.pattern.search(sentence)]


def attributed(sentence: str) -> bool:
    """Names a source a reader could check (vague "studies show" does not count)."""
    return bool(ATTRIBUTION.search(sentence)) and not VAGUE_ATTRIBUTION.search(sentence)
