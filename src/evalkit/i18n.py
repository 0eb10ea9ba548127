"""The one translation table of evalkit.

Every user-facing string (report headings, table labels, interpretations, band
names, error messages) lives in ``config/translations.yaml`` as::

    section:
      key:
        id: "Teks dalam Bahasa Indonesia dengan {parameter}"
        en: "English text with {parameter}"

and is looked up with :func:`t`. ``tests/test_i18n.py`` fails when a key lacks one
of the languages or when the two versions use different ``{parameters}``.

Numbers are formatted by :func:`fmt_num`: Indonesian uses a decimal comma and a
thousands dot (``0,87``; ``Rp 13.731.988``), English the reverse.
"""
from __future__ import annotations

import math
import string
from functools import lru_cache

from ._config import load_config

LANGUAGES = ("id", "en")


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    """The flattened translation table: ``{"section.key": {"id": ..., "en": ...}}``."""
    raw = load_config("translations")
    flat: dict[str, dict[str, str]] = {}

    def walk(node, prefix):
        if isinstance(node, dict) and set(node) & set(LANGUAGES) and all(
            not isinstance(v, dict) for v in node.values()
        ):
            flat[prefix] = node
            return
        for k, v in node.items():
            walk(v, f"{prefix}.{k}" if prefix else str(k))

    walk(raw, "")
    return flat


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        from .errors import EvalkitError, Problem

        raise EvalkitError(Problem("unknown_language", params={"lang": lang, "choices": ", ".join(LANGUAGES)}))
    return lang


def t(key: str, lang: str = "en", /, **params) -> str:
    """Translate ``key`` into ``lang`` and fill in ``params``.

    Examples
    --------
    >>> t("level.1", "id")
    'Level 1 — Reaksi'
    """
    entry = table().get(key)
    if entry is None:
        raise KeyError(f"translation key {key!r} is missing from config/translations.yaml")
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in table()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def fmt_num(x, lang: str = "en", digits: int = 2, *, thousands: bool = True) -> str:
    """Format a number the way readers of ``lang`` write it.

    Examples
    --------
    >>> fmt_num(13731988, "id", 0)
    '13.731.988'
    >>> fmt_num(0.8734, "id")
    '0,87'
    >>> fmt_num(1234.5, "en", 1)
    '1,234.5'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    s = f"{x:,.{digits}f}" if thousands else f"{x:.{digits}f}"
    if lang == "id":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_p(p: float, lang: str = "en") -> str:
    """APA-style p value without a leading zero: ``p = .034``, ``p < .001``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p = –"
    if p < 0.001:
        return "p < " + ("0,001" if lang == "id" else ".001")
    s = f"{p:.3f}"
    if lang == "id":
        return "p = " + s.replace(".", ",")
    return "p = " + s.lstrip("0")


def fmt_coef(x: float, lang: str = "en", digits: int = 2) -> str:
    """A statistic bounded by 1 in APA style: ``.87`` in English, ``0,87`` in Indonesian."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    s = f"{x:.{digits}f}"
    if lang == "id":
        return s.replace(".", ",")
    return s.replace("0.", ".", 1) if abs(x) < 1 else s


def fmt_rp(x: float, lang: str = "en") -> str:
    """Rupiah amount: ``Rp 13.731.988`` (id) or ``Rp 13,731,988`` (en)."""
    return "Rp " + fmt_num(x, lang, 0)


MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")


def fmt_date(d, lang: str = "en") -> str:
    """``2 Maret 2026`` (id) or ``2 March 2026`` (en)."""
    if d is None:
        return "–"
    if lang == "id":
        return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"
    return f"{d.day} {d.strftime('%B')} {d.year}"
