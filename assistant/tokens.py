"""Text -> keyword-index terms in every script: CJK segmented, other scripts Snowball-stemmed.

The keyword index (FTS5, ``unicode61``) holds these terms, not the raw text: ``unicode61``
keeps a whole run of Chinese characters as one token and Porter stems English only. Index
and query must be prepared alike, so both sides call ``terms`` here. A chunk's language is
detected once at index time (``detect``) and stored with its terms; a Latin-script word is
stemmed for that language, a Cyrillic or Greek word for its script's language, whatever
the chunk's, so a mixed note works.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

Segmenter = Literal["jieba", "bigram"]

# Snowball algorithms by ISO 639-1 code (PyStemmer names them so).
STEMMERS = {
    "en": "english", "de": "german", "ru": "russian", "fr": "french", "es": "spanish",
    "it": "italian", "nl": "dutch", "pt": "portuguese", "sv": "swedish", "el": "greek",
}
LATIN = ("en", "de", "fr", "es", "it", "nl", "pt", "sv")

# Function words that tell Latin-script languages apart (and are left out of queries).
STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to a in is it you that he was for on are with as his they be at one "
              "have this from or had by but not what all were we when your can said there an "
              "which she do how their if will my me our so about would been has who did",
        "de": "der die das und ist nicht ich du er sie es wir ihr den dem des ein eine einen "
              "einem mit von zu auf für im am an bei nach aus auch wie wann wo wer was habe hat "
              "haben bin sind war noch nur mein meine mir mich uns oder aber sich dass",
        "fr": "le la les et est un une des du de je tu il elle nous vous ils que qui pour "
              "dans sur avec pas ne au aux ce mon ma mes quand où",
        "es": "el la los las y es un una de del que en por con para no se mi mis yo tú cuando "
              "dónde qué",
        "it": "il lo la gli le e è un una di del che in per con non mi mio io quando dove",
        "nl": "de het een en is van ik je hij zij wij niet op te met voor dat die mijn wanneer",
        "pt": "o a os as e é um uma de do da que em para com não eu meu minha quando onde",
        "sv": "och är att en ett det som på jag du han hon vi inte med för av min när var",
        "ru": "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы "
              "по только ее мне было вот от меня еще нет о из ему когда уже для мы их чем "
              "где есть у меня мой моя мои это этот какой какая какие ли",
        "zh": "的 了 是 我 你 他 她 们 在 有 和 就 不 也 都 这 那 吗 呢 吧 啊 个 什么 怎么 哪 哪里 谁",
        "el": "και το η ο οι τα να του της με σε για που δεν είναι θα",
    }.items()
}

_TOKEN = re.compile(r"\w+", re.UNICODE)


def _script(ch: str) -> str:
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF:
        return "han"
    if 0x3040 <= o <= 0x30FF:
        return "kana"
    if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF:
        return "hangul"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if 0x0370 <= o <= 0x03FF or 0x1F00 <= o <= 0x1FFF:
        return "greek"
    return "latin" if ch.isalpha() else "other"


def _runs(text: str) -> Iterable[tuple[str, str]]:
    """(script, run) for each word-character run of ``text``, split where the script
    changes ("iPhone手机" -> latin "iphone", han "手机")."""
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        start = 0
        current = _script(word[0])
        for i in range(1, len(word)):
            s = _script(word[i])
            if s != current and "other" not in (s, current):
                yield current, word[start:i]
                start, current = i, s
            elif current == "other":
                current = s
        yield current, word[start:]


def detect(text: str, default: str = "en") -> str:
    """The dominant language of ``text``: by script, then (Latin) by function words."""
    counts: dict[str, int] = {}
    latin_words: list[str] = []
    for script, run in _runs(text.lower()):
        counts[script] = counts.get(script, 0) + (len(run) if script in ("han", "kana") else 1)
        if script == "latin":
            latin_words.append(run)
    if not counts:
        return default
    counts.pop("other", None)
    if not counts:
        return default
    script = max(counts, key=counts.__getitem__)
    if script in ("han", "kana"):
        return "ja" if counts.get("kana") else "zh"
    if script == "hangul":
        return "ko"
    if script == "cyrillic":
        return "ru"
    if script == "greek":
        return "el"
    return latin_language(latin_words, default)


def latin_language(words: Iterable[str], default: str = "en") -> str:
    scores = dict.fromkeys(LATIN, 0)
    for w in words:
        for lang in LATIN:
            if w in STOPWORDS[lang]:
                scores[lang] += 1
    best = max(LATIN, key=lambda lang: (scores[lang], lang == default))
    return best if scores[best] > scores.get(default, 0) else default


@cache
def _stemmer(lang: str) -> Any:
    import Stemmer  # PyStemmer: the Snowball algorithms in C

    return Stemmer.Stemmer(STEMMERS[lang], 10000)


def stem(word: str, lang: str) -> str:
    return _stemmer(lang).stemWord(word) if lang in STEMMERS else word


@cache
def _jieba() -> Any | None:
    try:
        import jieba
    except ImportError:
        return None
    import logging

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is not ours to print
    jieba.initialize()
    return jieba


def segmenter() -> Segmenter:
    """Chinese words by jieba's dictionary when it is installed, else character bigrams."""
    return "jieba" if _jieba() is not None else "bigram"


def segment(run: str, how: Segmenter | None = None) -> list[str]:
    """Words of a run of Han/Kana characters."""
    how = how or segmenter()
    if how == "jieba":
        jieba = _jieba()
        if jieba is not None:
            return [w for w in jieba.cut_for_search(run, HMM=True) if w.strip()]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def cjk_words(run: str) -> list[str]:
    """The words of a run of CJK characters as a reader splits them (no overlaps, unlike
    ``segment``): jieba's, else one character each."""
    jieba = _jieba()
    if jieba is None:
        return list(run)
    return [w for w in jieba.lcut(run, HMM=True) if w.strip()]


def _fold(text: str) -> str:
    # NFKC: full-width letters and digits (Ａ１) read as their plain forms
    # ё -> е: Russian writes it optionally, and the stemmer reads "приём" as "при" + ending
    return unicodedata.normalize("NFKC", text).lower().replace("ё", "е")


def terms(
    text: str,
    lang: str | None = None,
    *,
    drop_stopwords: bool = False,
    how: Segmenter | None = None,
) -> list[str]:
    """The index terms of ``text``, in order. ``lang`` is the language of its Latin-script
    words (detected when None)."""
    text = _fold(text)
    lang = lang or detect(text)
    latin = lang if lang in LATIN else "en"
    out: list[str] = []
    stop = STOPWORDS.get(lang, frozenset()) | STOPWORDS["en"] if drop_stopwords else frozenset()
    for script, run in _runs(text):
        if script in ("han", "kana"):
            out.extend(w for w in segment(run, how) if w not in stop)
            continue
        if run in stop:
            continue
        if script == "cyrillic":
            out.append(stem(run, "ru"))
        elif script == "greek":
            out.append(stem(run, "el"))
        elif script == "latin":
            out.append(stem(run, latin))
        else:
            out.append(run)
    return out


def prepare(text: str | None, lang: str, how: Segmenter | None = None) -> str:
    """The text the keyword index holds for ``text``: its terms joined by spaces."""
    return " ".join(terms(text, lang, how=how)) if text else ""


def entry(title: str | None, text: str, senders: str | None) -> tuple[str, str, str, str]:
    """A chunk's keyword-index row: its language (detected once, from title and text) and
    the prepared title, text and senders."""
    lang = detect(f"{title or ''}\n{text}")
    return lang, prepare(title, lang), prepare(text, lang), prepare(senders, lang)


def query_terms(text: str, index_languages: Iterable[str] = ("en",)) -> list[str]:
    """The terms a keyword query looks for. A Latin-script word is stemmed for the
    question's language and for every Latin language the index holds, so an English
    question finds "Zahnarzt" in a German note; stopwords are left out unless nothing
    else is left."""
    folded = _fold(text)
    lang = detect(folded)
    latins = [lang if lang in LATIN else "en"]
    latins += [x for x in index_languages if x in LATIN and x not in latins]
    stop = frozenset().union(STOPWORDS.get(lang, frozenset()), *(STOPWORDS[x] for x in latins))
    found: list[str] = []
    for script, run in _runs(folded):
        if script in ("han", "kana"):
            found.extend(w for w in segment(run) if w not in stop)
        elif run in stop or (len(run) < 2 and script != "other"):
            continue
        elif script == "latin":
            found.extend(stem(run, x) for x in latins)
        else:
            found.extend(terms(run, lang))
    return list(dict.fromkeys(found))
