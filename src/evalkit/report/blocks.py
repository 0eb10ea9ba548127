"""The format-neutral document: a list of blocks that every writer renders.

Section renderers (:mod:`evalkit.report.sections`) turn an evaluation into blocks; the
writers (:mod:`evalkit.report.writers`) render the *same* list as HTML (the notebook
outputs and ``report.html``), Word and Excel. A block holds values, not formatted text:
a table's cells are numbers with a typed :class:`Column` (``number``, ``percent``,
``money``, …), and every writer formats them through :func:`format_value`, the one
place where a locale's way of writing numbers is applied.

Text blocks (paragraphs, bullets, callouts) hold a restricted Markdown: ``**bold**``,
``*italic*``, `` `code` `` and links; user-written text inside them is never trusted —
the HTML writer parses it with raw HTML disabled and sanitises the result, the Word
writer keeps only the words.

Examples
--------
>>> col = Column("Mean", "number")
>>> format_value(3.456, col, "id"), format_value(3.456, col, "en")
('3,46', '3.46')
>>> format_value(0.125, Column("Share", "percent", 1), "id")
'12,5%'
>>> format_value(1234567, Column("Total", "money"), "en")
'Rp 1,234,567'
>>> format_value(V(0.0004, "p"), Column("p", "number"), "en")
'< .001'
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..i18n import fmt_coef, fmt_num, fmt_rp

#: column kinds and what a cell of that kind holds
KINDS = {
    "text": "a string (user text or words from the translation table)",
    "int": "a count",
    "number": "a real number shown with `digits` decimals",
    "coef": "a statistic bounded by 1 (APA: no leading zero in English)",
    "p": "a p value (APA: three decimals, < .001)",
    "percent": "a proportion 0–1 shown as a percentage with `digits` decimals",
    "money": "an amount in rupiah",
    "ci": "a (low, high) pair shown as [low, high]; Excel gets two number columns",
    "ci_coef": "a (low, high) pair of coefficients bounded by 1",
}


@dataclass(frozen=True)
class Column:
    """A table column: its label, the kind of its cells, decimals and unit."""

    label: str
    kind: str = "text"
    digits: int = 2
    unit: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class V:
    """A cell whose kind differs from its column's (e.g. a statistic/value table)."""

    value: Any
    kind: str = "number"
    digits: int = 2
    prefix: str = ""
    suffix: str = ""


class _Legacy:
    """Tuple-style access kept from evalkit ≤ 0.1 (``block[0] == "table"``, ``block[1]`` the
    caption …) so that code written against the old block records keeps working."""

    def _legacy(self) -> tuple:  # pragma: no cover - overridden
        return (type(self).__name__.lower(),)

    def __getitem__(self, i):
        return self._legacy()[i]


@dataclass
class Heading(_Legacy):
    level: int
    text: str
    anchor: str | None = None
    page_break: bool = False  # start a new page in print and Word
    toc: bool = False  # Word: a table-of-contents field follows this heading
    subtitle: bool = False  # the cover's program name: not a section (Word style Subtitle)

    def _legacy(self):
        return ("heading", self.level, self.text)


@dataclass
class Paragraph(_Legacy):
    text: str  # restricted Markdown

    def _legacy(self):
        return ("markdown", self.text)


@dataclass
class Bullets(_Legacy):
    items: list[str]  # restricted Markdown each

    def _legacy(self):
        return ("markdown", "\n".join(f"- {i}" for i in self.items))


@dataclass
class Table(_Legacy):
    number: int
    prefix: str  # "Tabel 3" / "Table 3"
    title: str
    columns: list[Column]
    rows: list[list]
    note: str | None = None
    name: str = "table"  # short stable name (sheet names, tests)
    lang: str = "en"  # the document's language (for :meth:`frame`)

    @property
    def caption(self) -> str:
        return f"{self.prefix}. {self.title}"

    def frame(self, lang: str = "en"):
        """The table as a DataFrame of the texts a reader sees."""
        import pandas as pd

        return pd.DataFrame([[format_value(v, c, lang) for v, c in zip(r, self.columns)] for r in self.rows],
                            columns=[c.label for c in self.columns])

    def _legacy(self):
        return ("table", self.caption, self.frame(self.lang), self.note)


@dataclass
class Figure(_Legacy):
    number: int
    prefix: str  # "Gambar 2" / "Figure 2"
    title: str
    name: str
    png: bytes
    alt: str
    width_px: int = 900

    @property
    def caption(self) -> str:
        return f"{self.prefix}. {self.title}"

    def _legacy(self):
        return ("figure", self.name, self.png, self.alt, self.title)


@dataclass
class Callout(_Legacy):
    """A framed block (the verdict): a title and lines of restricted Markdown."""

    kind: str
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class KeyValues(_Legacy):
    """Label/value pairs shown as a definition list (cover page, identity)."""

    pairs: list[tuple[str, str]]


@dataclass
class Signature(_Legacy):
    """The *Pengesahan* block: columns of role, then lines left to sign."""

    place_date: str
    roles: list[str]
    name_label: str
    id_label: str


@dataclass
class PageBreak(_Legacy):
    pass


Block = Heading | Paragraph | Bullets | Table | Figure | Callout | KeyValues | Signature | PageBreak


def is_missing(x) -> bool:
    if x is None:
        return True
    try:
        return isinstance(x, float) and math.isnan(x) or (hasattr(x, "__float__") and math.isnan(float(x)))
    except (TypeError, ValueError):
        return False


def cell_kind(value, column: Column) -> tuple[Any, str, int, str, str]:
    """``(value, kind, digits, prefix, suffix)`` of a cell."""
    if isinstance(value, V):
        return value.value, value.kind, value.digits, value.prefix, value.suffix
    return value, column.kind, column.digits, "", ""


def _fmt_p(p: float, lang: str) -> str:
    if p < 0.001:
        return "< " + ("0,001" if lang == "id" else ".001")
    s = f"{p:.3f}"
    return s.replace(".", ",") if lang == "id" else s.lstrip("0")


def format_number(value, kind: str, digits: int, lang: str) -> str:
    """The one place where a number of a given kind is written for a locale."""
    if kind == "text":
        return "" if value is None else str(value)
    if kind in ("ci", "ci_coef"):
        if value is None or any(is_missing(v) for v in value):
            return "–"
        sep = "; " if lang == "id" else ", "
        inner = "coef" if kind == "ci_coef" else "number"
        lo, hi = value
        return f"[{format_number(lo, inner, digits, lang)}{sep}{format_number(hi, inner, digits, lang)}]"
    if is_missing(value):
        return "–"
    if kind == "int":
        return fmt_num(int(round(float(value))), lang, 0)
    if kind == "number":
        return fmt_num(float(value), lang, digits)
    if kind == "coef":
        return fmt_coef(float(value), lang, digits)
    if kind == "p":
        return _fmt_p(float(value), lang)
    if kind == "percent":
        return f"{fmt_num(100 * float(value), lang, digits)}%"
    if kind == "money":
        return fmt_rp(float(value), lang)
    raise ValueError(kind)


def format_value(value, column: Column, lang: str) -> str:
    """A cell as the reader sees it in HTML and Word (Excel stores the number and a format)."""
    v, kind, digits, prefix, suffix = cell_kind(value, column)
    if kind == "text" and is_missing(v):
        return "–"
    s = format_number(v, kind, digits, lang)
    return f"{prefix}{s}{suffix}" if s != "–" else s


_SLUG_SAFE = re.compile(r"[^\w()\-%.]+", re.UNICODE)


def anchor(text: str) -> str:
    """The id of a heading (and the target of its contents link): spaces → hyphens,
    everything else percent-encoded (``Level 2 — Learning`` → ``Level-2-%E2%80%94-Learning``)."""
    from urllib.parse import quote

    return quote(text.replace(" ", "-"), safe="()-")


def md_escape(text) -> str:
    """User text placed inside restricted Markdown: Markdown punctuation is escaped, so a
    name cannot open a link, emphasis or code span (the writers escape HTML on top)."""
    s = "" if text is None else str(text)
    s = re.sub(r"([\\`*_\[\]{}()<>#+!|~])", r"\\\1", s)
    return s.replace("\n", " ").replace("\r", " ")


def md_code(text) -> str:
    """User text as a Markdown code span that it cannot close: the fence is one backtick
    longer than the longest run inside (CommonMark), and no backslash escapes (code spans
    show them literally).

    >>> md_code("a`b")
    '``a`b``'
    """
    s = ("" if text is None else str(text)).replace("\n", " ").replace("\r", " ")
    runs = [len(r) for r in re.findall(r"`+", s)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def blocks_text(blocks) -> str:
    """Every table and figure caption, one a line (used by the tests that compare formats)."""
    return "\n".join(b.caption for b in blocks if isinstance(b, (Table, Figure)))
