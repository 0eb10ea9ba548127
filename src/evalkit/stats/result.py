"""The one result convention of evalkit's analyses, and APA 7 number formatting.

Every analysis returns an object derived from :class:`Result`:

``.to_frame()``
    a tidy :class:`pandas.DataFrame` with documented columns;
``.summary()``
    a plain-text table in the statsmodels style;
``.apa(lang="en"|"id")``
    an APA 7 sentence: test statistic with its df, p, effect size and its 95 % CI,
    e.g. ``t(33) = 5.12, p < .001, d_z = 0.88, 95% CI [0.48, 1.27]``. Indonesian uses
    decimal commas and separates the CI bounds with a semicolon
    (``IK 95% [0,48; 1,27]``);
``_repr_html_()``
    the frame as an HTML table for notebooks (escaped).

The few words an APA sentence needs come from the translation table's ``apa`` section
(read as configuration: ``stats`` imports no presentation code).

Formatting rules (APA Publication Manual, 7th ed., §6.36 and §6.44):
statistics that cannot exceed 1 (p, r, α, ω) have no leading zero; p is given exactly to
three decimals, and as ``p < .001`` below that.
"""
from __future__ import annotations

import html
import math

import pandas as pd

from .._config import load_config


def _word(key: str, lang: str) -> str:
    words = load_config("translations").get("apa", {})
    entry = words.get(key)
    if not entry:
        return key
    return entry.get(lang) or entry.get("en") or key


def apa_num(x, digits: int = 2, lang: str = "en", *, leading_zero: bool = True) -> str:
    """A number for an APA sentence: ``digits`` decimals, minus sign U+2212, decimal comma
    in Indonesian, no leading zero when ``leading_zero`` is false (for p, r, α).

    Examples
    --------
    >>> apa_num(0.4567, 2)
    '0.46'
    >>> apa_num(0.4567, 2, "id")
    '0,46'
    >>> apa_num(-0.4567, 3, leading_zero=False)
    '−.457'
    """
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "NA"
    s = f"{abs(float(x)):.{digits}f}"
    if not leading_zero and s.startswith("0."):
        s = s[1:]
    if float(x) < 0 and float(s.replace(",", ".") or 0) != 0:
        s = "\u2212" + s
    if lang == "id":
        s = s.replace(".", ",")
    return s


def apa_p(p, lang: str = "en") -> str:
    """``p = .034`` or ``p < .001`` (APA 7).

    Examples
    --------
    >>> apa_p(0.0342)
    'p = .034'
    >>> apa_p(0.00001)
    'p < .001'
    >>> apa_p(0.5, "id")
    'p = ,500'
    """
    if p is None or not math.isfinite(float(p)):
        return "p = NA"
    if p < 0.001:
        return "p < " + apa_num(0.001, 3, lang, leading_zero=False)
    return "p = " + apa_num(p, 3, lang, leading_zero=False)


def apa_ci(low, high, digits: int = 2, lang: str = "en", level: float = 0.95, *,
           leading_zero: bool = True) -> str:
    """``95% CI [0.48, 1.27]`` (English) or ``IK 95% [0,48; 1,27]`` (Indonesian).

    Examples
    --------
    >>> apa_ci(0.481, 1.269)
    '95% CI [0.48, 1.27]'
    >>> apa_ci(0.481, 1.269, lang="id")
    'IK 95% [0,48; 1,27]'
    """
    sep = "; " if lang == "id" else ", "
    pct = f"{level * 100:g}%"
    label = _word("ci", lang).format(level=pct)
    lo = apa_num(low, digits, lang, leading_zero=leading_zero)
    hi = apa_num(high, digits, lang, leading_zero=leading_zero)
    return f"{label} [{lo}{sep}{hi}]"


def apa_df(df, lang: str = "en") -> str:
    """Degrees of freedom: whole numbers without decimals, Welch-type df with one."""
    if df is None or (isinstance(df, float) and not math.isfinite(df)):
        return "NA"
    if float(df) == int(float(df)):
        return str(int(float(df)))
    return apa_num(df, 1, lang)


class Result:
    """Base of every analysis result (the convention in this module's docstring).

    Subclasses implement :meth:`to_frame` and :meth:`apa`; :meth:`summary` and
    :meth:`_repr_html_` default to a rendering of the frame with a title.
    """

    #: title of the summary and of the HTML table
    title: str = "Result"

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def apa(self, lang: str = "en") -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def summary(self) -> str:
        frame = self.to_frame()
        with pd.option_context("display.width", 140, "display.max_columns", 30,
                               "display.float_format", lambda v: f"{v:.4f}"):
            body = frame.to_string()
        rule = "=" * max(len(self.title), min(100, max((len(x) for x in body.splitlines()), default=0)))
        parts = [self.title, rule, body]
        try:
            parts += ["", self.apa("en")]
        except NotImplementedError:  # pragma: no cover
            pass
        notes = getattr(self, "notes", None) or getattr(self, "warnings", None)
        if notes:
            parts += ["", "Notes:"] + [f"  - {n}" for n in notes]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        from ._util import html_table

        out = html_table(self.to_frame(), self.title, 4)
        try:
            out += f"<p class=\"evalkit-apa\">{html.escape(self.apa('en'))}</p>"
        except NotImplementedError:  # pragma: no cover
            pass
        return out
