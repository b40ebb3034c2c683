"""Lexicons and patterns behind the credibility flags: what advertising and unsupported claims look like.

Each cue has a name a reviewer can read, the flag kind it supports, a category (which becomes the reason
line) and a weight; a sentence needs a weight of 1.0 for a flag. The patterns aim at the genre (clinic,
facilitator, supplement and stem-cell pages), not at sentences of the bundled corpus. See eval/LABELLING.md
for what each kind means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from groundqa.ingest.records import COMMERCIAL, KINDS, UNVERIFIED  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Cue:
    name: str
    kind: str
    category: str
    weight: float
    pattern: re.Pattern[str]


def _cue(name: str, kind: str, category: str, weight: float, pattern: str) -> Cue:
    return Cue(name, kind, category, weight, re.compile(pattern, re.IGNORECASE))


_PROVIDER = (r"(clinic|clinics|centre|center|hospital|hospitals|specialists?|doctors|surgeons|oncologists|experts?|"
             r"physicians|consultants|coordinators?|medical (institution|centre|center|team|staff)|team of \w+|"
             r"facilit(y|ies))")
_DAY = r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
PHONE = re.compile(r"(?<![\w/.-])(\+\d{1,3}[\s.-]?)?(\(?\d{1,4}\)?[\s.-]?){2,5}\d{2,4}(?![\w/-])")
_PHONE_DIGITS = re.compile(r"\d")

COMMERCIAL_CUES: tuple[Cue, ...] = (
    # calls to action aimed at customers
    _cue("call us", COMMERCIAL, "call to action", 1.0,
         r"\b(call|phone|ring|contact|text|e-?mail|message|write to|whatsapp)\s+(us|our)\b"),
    _cue("booking request", COMMERCIAL, "booking request", 1.0,
         r"\b(book|schedule|make|arrange|reserve|request)\b[^.;]{0,40}\b(appointment|consultation|session|visit)s?\b"),
    _cue("booking request", COMMERCIAL, "booking request", 1.0, r"\b(reserve|book) (yours|your place|now|today)\b"),
    _cue("call-back request", COMMERCIAL, "call-back request", 1.0, r"\bcall(ing)?[- ]?(you )?back\b|\bcallback\b"),
    _cue("lead form", COMMERCIAL, "lead form", 1.0,
         r"\b(fill (in|out)|complete|submit) (the|this|our|a|an|your) (\w+ ){0,3}form\b|"
         r"\bleave your (name|phone|telephone|number|details|contact|data|e-?mail)|"
         r"\bby leaving your (data|details)|\bsend us your\b"),
    _cue("newsletter/offers", COMMERCIAL, "lead form", 1.0, r"\bsubscribe\b[^.;]{0,40}\b(offers?|deals?|discounts?)\b"),
    _cue("find out more / click", COMMERCIAL, "call to action", 0.5,
         r"\bclick (the|this|here|on)\b[^.;]{0,20}\b(button|link|here)\b"),
    _cue("calling the clinic", COMMERCIAL, "call to action", 1.0,
         r"\bcall(ing)? (the|our) [^.;,]{0,40}\b(clinic|llc|ltd|inc)\b"),
    # selling
    _cue("price", COMMERCIAL, "prices and fees", 0.5,
         r"([€$£]\s?\d|\d[\d,.]*\s?(€|euros?\b|dollars\b|usd\b|eur\b|gbp\b|rub(les)?\b))"),
    _cue("price", COMMERCIAL, "prices and fees", 1.0,
         r"\bprices? (start|from|include)|\bpackages? (from|start|include)|\bpayment plans?\b|\b(interest-free )?"
         r"financing\b|\bhidden (fees|costs|charges)\b|\bnever pay more\b|\bat no (extra )?(cost|charge)\b|"
         r"\b(quotes?|quotation)\b[^.;]{0,30}\b(treatment|hospital|surgery)|"
         r"\b(treatment plans?|get a) (and )?quotes?\b|\bpersonali[sz]ed quote\b"),
    _cue("free service", COMMERCIAL, "free service offer", 1.0,
         r"\bfree\b[^.;]{0,30}\b(consultation|coordinator|quote|assessment|treatment plans?|second opinion|transfer|"
         r"check-?up|evaluation)"),
    # "free" alone is weak: public helplines and charities are free too
    _cue("free of charge", COMMERCIAL, "free service offer", 0.4, r"\bfree of charge\b|\bfor free\b"),
    _cue("no waiting", COMMERCIAL, "sales promise", 1.0,
         r"\bno (waiting (times?|lists?)|queues?)\b|\bno obligations?\b"),
    _cue("urgency", COMMERCIAL, "sales promise", 1.0, r"\blimited (places|offer|time offer)\b|\b(act|book|call) now\b"),
    # the provider talking about itself
    _cue("our clinic / our specialists", COMMERCIAL, "self-promotion", 1.0,
         rf"\bour\s+(\w+[- ]){{0,3}}{_PROVIDER}\b|\bour (partner|medical|patient) \w+|\bour (office|operator|website|"
         r"services?|protocol|method|programm?e?s?|therapy|team)\b"),
    _cue("we help you", COMMERCIAL, "self-promotion", 1.0,
         r"\bwe\b,?\s+(\w+\s+){0,2}(only work|work with|link you|can help you|will help you|arrange|specialise|"
         r"specialize|guarantee|facilitate|treat patients|are here to help)\b|\bwe,? at\b|\bthrough us\b|"
         r"\bby using (?-i:[A-Z][A-Z\w-]*) you\b"),
    _cue("we offer", COMMERCIAL, "self-promotion", 0.5, r"\bwe\b,?\s+(\w+\s+){0,2}(offer|provide)\b"),
    _cue("provider superlative", COMMERCIAL, "promotional superlative", 1.0,
         rf"\b(world[- ]class|market[- ]leading|top[- ]rated|renowned|the best|the top|the leading|leading|finest|"
         rf"premier|most experienced)\s+(\w+\s+){{0,3}}{_PROVIDER}"),
    _cue("accreditation as selling point", COMMERCIAL, "promotional superlative", 0.5,
         r"\b(internationally accredited|jci|iso[- ]certified)\b"),
    _cue("staff praise", COMMERCIAL, "self-promotion", 0.5, r"\b(improve their qualifications|training courses)\b"),
    # proprietary products
    _cue("proprietary method", COMMERCIAL, "proprietary therapy", 1.0,
         r"\b(has|have) developed (special |unique |new |its own |our own )?(\w+ ){0,1}(programs?|programmes?|"
         r"protocols?|methods?|therap(y|ies)|techniques?|treatments?)\b|\b(developed|available) exclusively\b|"
         r"\bnowhere else\b|\b(proprietary|patented|trademarked)\b"),
    _cue("brand mark", COMMERCIAL, "proprietary therapy", 0.5, r"[®™]"),
    # business contact details
    _cue("opening hours", COMMERCIAL, "business contact details", 1.0,
         rf"^{_DAY}\s*[-–]\s*{_DAY}\b[^.]{{0,12}}\d{{1,2}}[:.]\d{{2}}|^{_DAY}\s*[-–:]\s*closed\b"),
    _cue("office address", COMMERCIAL, "business contact details", 1.0, r"\bvisit our (office|centre|center|clinic)\b"),
)

# A phone number alone is a contact detail; it flags only beside another commercial cue (public helplines exist).
PHONE_WEIGHT = 0.5
SELF_NAME_WEIGHT = 0.5

_NUMBER = r"(\d[\d,]*([.]\d+)?|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundreds|thousands)"
# Times go with survival; rates and counts go with any outcome (efficacy, cure, accuracy, survival).
_TIME_FIGURE = rf"\b{_NUMBER}(\s*(-|–|to)\s*{_NUMBER})?\s+(months?|years?|weeks?)\b"
_RATE_FIGURE = (rf"(\b\d[\d,]*([.]\d+)?\s?(%|percent|per cent)|\b{_NUMBER}\s+(out of|in)\s+(\d+|two|three|four|"
                rf"five|ten)\b|\b{_NUMBER}\s+times\b|\b(over|more than)\s+\d[\d,]+\b|\bthousands of\b)")
_SURVIVAL = r"(surviv\w*|live[sd]?|life expectancy|pass(ed)? away)"
_OUTCOME = (rf"({_SURVIVAL}|cure[sd]?|cure rate|success\w*|remission rate|response rate|respond\w*|"
            r"(tumou?r|complete|partial) regression|accura\w*|detection rate|sensitivity|specificity|effective\w*|"
            r"reduction in (the )?(risk|mortality|death))")

UNVERIFIED_CUES: tuple[Cue, ...] = (
    _cue("outcome figure", UNVERIFIED, "outcome figure", 1.0,
         rf"{_TIME_FIGURE}[^.;]{{0,40}}\b{_SURVIVAL}\b|\b{_SURVIVAL}\b[^.;]{{0,40}}{_TIME_FIGURE}|"
         rf"{_RATE_FIGURE}[^.;]{{0,50}}\b{_OUTCOME}\b|\b{_OUTCOME}\b[^.;]{{0,50}}{_RATE_FIGURE}"),
    _cue("outcome promise", UNVERIFIED, "outcome promise", 1.0,
         r"\b(is|are) achieved\b|\bachieve the best results\b|\bguarantee[sd]?\b|\bclinically proven\b|\bproven to\b|"
         r"\blive longer\b|\bnever comes? back\b|\bcomplete cure\b|"
         r"\bnormali[sz]es the condition\b|\bincreas\w* (their|the|its) (\w+ )?effectiveness\b|"
         r"\bspeedy recovery\b|\bdramatic improvement\b|\bfrom hopeless\b|\bhelp even hopeless\b|\bmiracle\b|"
         r"\brevers(es|ing) the (damage|disease)\b|"
         r"\bboosts? your immun\w*|\b(have|has) (already )?been cured\b|\bcures? (cancer|all|any)\b"),
    _cue("safety claim", UNVERIFIED, "safety claim", 1.0,
         r"\bno side[- ]effects\b|\bwithout (any )?side[- ]effects\b|\breduc\w* the (percentage|number|rate) of side\b|"
         r"\btoxicity\b[^.;]{0,25}\bminimal\b|\bminimal toxicity\b|\bno increase in harm\b|"
         r"\b(completely|totally|absolutely|100%) safe\b|\bnone of (its|the) (toxicity|side)\b|"
         r"\brisk-free\b"),
    _cue("superiority claim", UNVERIFIED, "superiority claim", 1.0,
         r"(?<!may be )(?<!about )(?<!what )(?<!plan )(?<!find )(?<!determine )(?<!choose )"
         r"\bthe best (method|treatment|therapy|results?|option|choice|way to treat)\b|\bthe only (effective|cure|"
         r"treatment that)\b|\bthe most effective\b|\bmore effective than\b|\bsuperior to\b|\bhighest success\b|"
         r"\bbetter than (chemo|radiation|surgery|conventional)\w*|\bunique (method|therapy|treatment|protocol)\b"),
)

# A claim phrase shortly after a modal or hedge is not an assertion; a "that"/"which" clause in between ends
# the hedge's reach ("can be used as a method that normalizes ..."). Negations and questions reach further.
HEDGE = re.compile(r"\b(may|might|could|can|possibly|potentially|generally|usually|often|sometimes|in some cases|"
                   r"seems?|appears?|likely|probably|determine|plan|choose|find|discuss|decide|select)\b"
                   r"(?![^.;]*\b(that|which)\b)[^.;]{0,60}$|\b(no|not|never|rarely|whether|unclear)\b[^.;]{0,60}$",
                   re.IGNORECASE)

# Attribution a reader could follow: citation markers, author-year, named studies, trials, guidelines, bodies.
ATTRIBUTION = re.compile(
    r"\[\d+([,–-]\d+)*\]|\([A-Z][A-Za-z'-]+( et al\.?| and [A-Z][A-Za-z'-]+)?,? \d{4}[a-z]?\)|"
    r"(?i:according to) (the )?(\d{4} )?[A-Z][A-Za-z]+|\b[A-Z]{2,}[-–]?\d+ (?i:trial|study)\b|"
    r"(?i:\b(a|one|the|this|recent|large|several|two|three) (\d{4} )?((randomi[sz]ed|controlled|clinical|cohort|"
    r"cochrane|systematic|observational|population-based|phase \w+)\s+)*"
    r"(trial|study|review|meta-analysis|analysis|registry|survey)\b[^.;]{0,40}\b(found|showed|shows|reported|"
    r"reports|concluded|demonstrated|of \d)|\bpublished in\b|\bguidelines?\b|\b(data|figures) from\b|"
    r"\bin a (\w+ ){0,3}(trial|study)\b|\bresearch (shows|has shown|found)|"
    r"\b(stud(y|ies)|trials?) (have )?(found|showed|shown|shows|reported|demonstrated)\b)")
# Vague or self-attribution: looks like a source, names none a reader could check.
FALSE_ATTRIBUTION = re.compile(r"\baccording to (statistics|specialists|doctors|experts|our|the clinic)\b|"
                               r"\bit is (known|believed|proven)\b", re.IGNORECASE)

# Sentences that only continue the previous one inherit its flags (a split-off "Including ..." clause).
CONTINUATION = re.compile(r"^(including|especially|particularly|even in|as well as)\b", re.IGNORECASE)
# Sentences whose subject is the previous sentence's product: "It is also compatible ...", "At the same time, ...".
ANAPHOR = re.compile(r"^(it|this|these|they|at the same time|also|in addition|moreover|furthermore)\b", re.IGNORECASE)


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


# The union of every cue with its start-of-sentence anchors dropped (a "^" outside a character class).
_ANCHOR = re.compile(r"(?<![\[\\])\^")
_ANY_CUE = re.compile("|".join("(?:" + _ANCHOR.sub("", c.pattern.pattern) + ")"
                               for c in (*COMMERCIAL_CUES, *UNVERIFIED_CUES)), re.IGNORECASE)


def may_flag(text: str) -> bool:
    """Cheap whole-text screen: False means no sentence of ``text`` can carry a flag, so splitting can be skipped."""
    return bool(_ANY_CUE.search(text) or phone_numbers(text))
