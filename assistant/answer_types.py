"""What a value of each answer type looks like in text: "1,240 EUR", "+49 171 …", "07:10".

The planner decides what a question asks for (assistant/plan.py); these patterns say
whether a sentence holds such a value at all, so an answer to "what is Jonas's phone
number?" is a sentence with a phone number in it, or an honest "not found".
"""

from __future__ import annotations

import re

# month names in English, German, Spanish, Portuguese, French, Italian, Dutch and Polish
# (the genitive a Polish date uses: "20 maja")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|"
          r"mai|juni|juli|oktober|dezember|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
          r"septiembre|setiembre|octubre|noviembre|diciembre|janeiro|fevereiro|março|maio|junho|"
          r"julho|setembro|outubro|novembro|dezembro|janvier|février|mars|avril|juin|juillet|"
          r"août|septembre|octobre|novembre|décembre|gennaio|febbraio|aprile|maggio|giugno|"
          r"luglio|settembre|ottobre|dicembre|januari|februari|maart|mei|augustus|stycznia|"
          r"lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|"
          r"grudnia)")
_WEEKDAY = (r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|montag|dienstag|"
            r"mittwoch|donnerstag|freitag|samstag|sonntag")
_CURRENCY = r"(?:€|\$|£|¥|₹|eur|euros?|usd|gbp|chf|dollars?|pounds?|quid|bucks|cents?|pence|p\b|sek|nok|dkk|pln|cad|aud)"
_NUMBER = r"\d{1,3}(?:[,. ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"

PATTERNS: dict[str, re.Pattern[str]] = {
    "phone": re.compile(r"(?<![\w/])\+?\(?\d[\d ()./-]{5,}\d(?![\w/])"),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "amount": re.compile(
        rf"{_CURRENCY}:?\s?(?:{_NUMBER})|(?:{_NUMBER})\s?(?:{_CURRENCY}|k\b|/\s?(?:month|mo|year|yr|week|night|hour|h)\b)"
        rf"|(?:{_NUMBER})\s(?:a|per|each|every)\s(?:month|year|week|night|hour|person)",
        re.IGNORECASE),
    # a quantity: "360 g", "72%", "45 psi", "2 tbsp", "1.5 l"
    "quantity": re.compile(
        r"\b\d+(?:[.,]\d+)?\s?(?:g|kg|mg|ml|l|cl|dl|oz|lbs?|cups?|tbsp|tsp|teaspoons?|"
        r"tablespoons?|%|percent|km|m|cm|mm|miles?|psi|bar|kcal|cal|pieces?|slices?|cloves?)"
        r"(?![\w])", re.IGNORECASE),
    "count": re.compile(r"\b\d+\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                        r"twelve|twenty|thirty|forty|fifty|hundred|dozen|once|twice)\b",
                        re.IGNORECASE),
    "duration": re.compile(
        r"\b(?:\d+(?:[.,]\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|half an?)\s*-?\s*"
        r"(?:h|hrs?|hours?|min|mins|minutes?|days?|nights?|weeks?|months?|years?|stunden?|tage?|wochen?)\b"
        r"|\b\d{1,2}[:.]\d{2}\s*(?:-|–|to|until|till|bis)\s*\d{1,2}[:.]\d{2}\b",
        re.IGNORECASE),
    "time": re.compile(
        r"\b(?:[01]?\d|2[0-3])[:.h][0-5]\d\b|\b(?:1[0-2]|0?[1-9])(?:[:.][0-5]\d)?\s*(?:am|pm|a\.m\.|p\.m\.)"
        r"|\bnoon\b|\bmidnight\b|\b\d{1,2}\s*uhr\b|\b\d{1,2}\s*o'clock\b",
        re.IGNORECASE),
    "date": re.compile(
        rf"\b\d{{1,2}}(?:st|nd|rd|th|er|º|°)?\.?\s+(?:of\s+|de\s+)?{_MONTH}\b|\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
        rf"|\b\d{{4}}-\d\d-\d\d\b|\b\d{{1,2}}[./]\d{{1,2}}(?:[./]\d{{2,4}})?\b|\b(?:{_WEEKDAY})\b"
        rf"|\bthe\s+\d{{1,2}}(?:st|nd|rd|th)\b|\b(?:today|tomorrow|tonight|yesterday|next\s+week|"
        rf"this\s+week|weekend|morgen|heute)\b|\b{_MONTH}\s+\d{{4}}\b|\bin\s+{_MONTH}\b",
        re.IGNORECASE),
    "temperature": re.compile(r"\d+\s*(?:°|º|degrees?|deg\b|grad\b)|\d+\s*(?:c|f)\b(?![\w-])",
                              re.IGNORECASE),
    # a reference, code or number: letters and digits mixed (4+ characters), 4+ digits, or
    # digit groups ("K7WQ2P", "GN23C-0477-118", "welcome-e17-guests", "41703", "0417 3390"),
    # a dial lock's digits ("0-4-7-1")
    "code": re.compile(
        r"(?<![\w-])(?=[\w/.-]*\d)(?=[\w/.-]*[A-Za-z])[A-Za-z0-9][\w/.-]{2,}[A-Za-z0-9](?![\w-])"
        r"|(?<![\w.,])\d{4,}(?!\w|[.,]\d)|(?<![\w.,])\d{2,}(?:[ -]\d{2,}){1,4}(?!\w|[.,]\d)"
        r"|\b[A-Z]{2}\d{2}(?: ?\w{4}){3,7}\b"
        r"|(?<![\w.,-])\d(?:-\d){3,7}(?![\w-])"),  # a dial lock: "0-4-7-1"
}
# a combination lock's numbers after the word for it ("combo 18-04-33", "Code: 12-3-40")
_LOCK_DIGITS = re.compile(
    r"\b(?:combo|combination|code|lock|padlock|pin|kod|szyfr|c[oó]digo|zahlenschloss)\b"
    r"\W{0,3}(?P<value>\d{1,2}(?:-\d{1,2}){2,5})(?![\w-])", re.IGNORECASE)
# Types a question can only be answered with a value of: no value, no answer.
STRICT = frozenset(PATTERNS) - {"quantity", "place"}
# Types whose value, when a sentence has one, makes it a better answer (never required).
PREFERRED = {"place": re.compile(
    r"\b(?:in|at|on|under|behind|inside|next to|near|above|below|opposite|beside)\s+"
    r"(?:the\s+|a\s+|my\s+|our\s+)?[\w'’-]{3,}", re.IGNORECASE),
    # "when is the plumber coming": "Thursday at 8am" says more than "Thursday"
    "date": PATTERNS["time"]}
# "When ..." is answered by a date or a time, and a time often comes without a date.
ALSO = {"date": ("time",), "duration": ("time",), "count": ("amount", "quantity"),
        "amount": ("quantity",), "code": ("phone",)}


def values(kind: str, text: str) -> list[str]:
    """Values of ``kind`` in ``text`` (accepting the kinds that also answer it)."""
    found: list[str] = []
    for name in (kind, *ALSO.get(kind, ())):
        pattern = PATTERNS.get(name)
        if pattern is not None:
            found.extend(m.group(0).strip() for m in pattern.finditer(text))
    if kind in ("phone", "code"):  # a phone number has seven digits or more, and no clock
        found = [v for v in found if sum(c.isdigit() for c in v) >= 7 and ":" not in v] + [
            v for v in found if kind == "code" and (not re.search(r"[\d ()+./-]{7,}", v)
                                                    or re.fullmatch(r"\d(?:-\d)+", v))]
    if kind == "code":  # a code is not a plain year, a time, an ordinal or an amount
        found = [v for v in found if not re.fullmatch(
            r"(?:19|20)\d\d|\d{1,2}[:.]\d\d|\d+(?:st|nd|rd|th|am|pm|h|k|kg|km|cm|mm|g|ml|min)"
            r"|\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?|\d{4}-\d\d-\d\d", v, re.IGNORECASE)]
        # ... unless a lock names it: "combo 18-04-33" is a combination, not a date
        found += [m["value"] for m in _LOCK_DIGITS.finditer(text)]
    return found


def preferred(kind: str, text: str) -> bool:
    """Does ``text`` hold what makes a better answer of this kind ("in the hallway
    cupboard" for "where")?"""
    pattern = PREFERRED.get(kind)
    return bool(pattern and pattern.search(text))


def fits(kind: str, text: str) -> bool:
    """Does ``text`` hold a value of the kind the question asks for? (untyped: always)"""
    if kind not in STRICT:
        return True
    return bool(values(kind, text))
