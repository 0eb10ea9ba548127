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


from ._text import LANGUAGES, has, t, table  # noqa: F401  (the lookup lives in _text)


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        from .errors import EvalkitError, Problem

        raise EvalkitError(Problem("unknown_language", params={"lang": lang, "choices": ", ".join(LANGUAGES)}))
    return lang


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


_PERCENT_PARAMS = ("share", "min_share", "pass_rate_post", "min_pass_rate_post", "min_share_improved",
                   "min_share_met", "min_response_rate")
_MONEY_PARAMS = ("per_participant", "own_per_participant")


def verdict_text(section: str, key: str, params: dict, lang: str = "en") -> str:
    """Word one verdict item (:mod:`evalkit.levels.verdict`): ``verdict.<section>.<key>`` with
    its parameters formatted for ``lang`` — shares and rates as percentages, p in APA style,
    money in Rupiah, bands and delivery modes translated, labels in the report's language.

    Examples
    --------
    >>> verdict_text("reason", "l3_met", {"improved": 4, "aspects": 5, "rater": "atasan"}, "en")
    '4 of 5 behaviour aspects rose significantly (rater: supervisor).'
    """
    out = {}
    for k, v in (params or {}).items():
        if isinstance(v, dict) and set(v) & set(LANGUAGES):
            out[k] = v.get(lang) or v.get("en")
        elif k in ("band", "min_band") and isinstance(v, str):
            out[k] = t(f"band.{v}", lang) if has(f"band.{v}") else v
        elif k in ("mode", "own") and isinstance(v, str):
            out[k] = t(f"mode.{v}", lang) if has(f"mode.{v}") else v
        elif k in ("evidence",) and isinstance(v, str):
            out[k] = t(f"verdict.evidence.{v}", lang)
        elif k == "missed" and isinstance(v, str):
            out[k] = ", ".join(t(f"verdict.missed.{m.strip()}", lang) if has(f"verdict.missed.{m.strip()}") else m
                               for m in v.split(","))
        elif k == "rater" and isinstance(v, str):
            out[k] = next((t(x, lang) for x in (f"verdict.rater.{v}", f"l3.{v}") if has(x)), v)
        elif k == "p" and isinstance(v, (int, float)):
            out[k] = fmt_p(v, lang)
        elif k in _PERCENT_PARAMS and isinstance(v, (int, float)):
            out[k] = fmt_num(100 * v, lang, 0) + " %"
        elif k in _MONEY_PARAMS and isinstance(v, (int, float)):
            out[k] = fmt_rp(v, lang)
        elif isinstance(v, float):
            out[k] = fmt_num(v, lang, 0 if abs(v) >= 100 or v == int(v) and k not in ("d_z", "mean") else 2)
        elif v is None:
            out[k] = "–"
        else:
            out[k] = v
    return t(f"verdict.{section}.{key}", lang, **out)


def verdict_words(verdict: dict, lang: str = "en") -> dict:
    """The verdict with every item worded in ``lang`` (for metrics.json and the report):
    ``overall_text``, ``evidence_text``, ``headline``, ``rule_text``, ``evidence_reasons_text``,
    per level ``status_text``, ``criterion_text``, ``reason_text``, and the conclusions and
    recommendations as text."""
    v = verdict
    levels = {}
    for n, lv in v["levels"].items():
        crit_params = {**v["criteria"].get(f"level{n}", {}), **{k: x for k, x in lv["params"].items()
                                                                if k not in ("rater",) or x != "all"}}
        levels[n] = {**lv, "status_text": t(f"verdict.status.{lv['status']}", lang),
                     "criterion_text": verdict_text("criterion", lv["criterion"], crit_params, lang),
                     "reason_text": verdict_text("reason", lv["reason"], lv["params"], lang)}
    overall = t(f"verdict.overall.{v['overall']}", lang)
    evidence = t(f"verdict.evidence.{v['evidence']}", lang)
    return {**v, "levels": levels, "overall_text": overall, "evidence_text": evidence,
            "headline": t("verdict.headline", lang, overall=overall, evidence=evidence),
            "rule_text": t(f"verdict.rule.{v['rule']}", lang),
            "evidence_reasons_text": [t(f"verdict.evidence_reason.{r}", lang) for r in v["evidence_reasons"]],
            "conclusions_text": [verdict_text("concl" if c["finding"] == "overall" else "reason", c["key"], c["params"],
                                              lang) for c in v["conclusions"]],
            "recommendations_text": [verdict_text("rec", r["key"], r["params"], lang) for r in v["recommendations"]]}
