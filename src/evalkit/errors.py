"""evalkit's exceptions.

Every error a user can cause is an :class:`EvalkitError` that says *where* (file,
column, row) and *how to fix it*. Validation collects every problem of a program
folder before raising a single :class:`ValidationError`, so that a user fixes all of
them in one pass instead of meeting them one at a time.

A problem carries a message key and parameters; it is worded only when it is shown
(``str(exc)``, :meth:`EvalkitError.render`), through the translation table
(:mod:`evalkit._text`), so the same problem reads in Bahasa Indonesia or English. This module
imports no presentation code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem found in the input.

    Parameters
    ----------
    key : str
        Translation key of the message (``errors.<key>`` and ``fix.<key>``).
    file, column : str, optional
        Where the problem is: file relative to the program folder, column name.
    row : int, optional
        1-based row number *as a spreadsheet shows it* (the header is row 1 of a
        CSV; the first data row is row 2).
    params : dict
        Values substituted into the message.
    severity : {"error", "warning", "info"}
        ``error`` stops validation; ``warning`` and ``info`` record what a named rule did
        (a dropped resubmission, a missing-value code, an excluded total row).
    """

    key: str
    file: str | None = None
    column: str | None = None
    row: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"

    def location(self, lang: str = "en") -> str:
        from ._text import t

        parts = []
        if self.file:
            parts.append(t("where.file", lang, file=self.file))
        if self.column:
            parts.append(t("where.column", lang, column=self.column))
        if self.row is not None:
            parts.append(t("where.row", lang, row=self.row))
        return ", ".join(parts)

    def message(self, lang: str = "en", *, fix: bool = True) -> str:
        from ._text import t

        params = {"file": self.file, "column": self.column, "row": self.row, **self.params}
        msg = t(f"errors.{self.key}", lang, **params)
        loc = self.location(lang)
        text = f"{loc}: {msg}" if loc else msg
        if not fix:
            return text
        how = t(f"fix.{self.key}", lang, **params)
        return f"{text}\n    {t('where.how_to_fix', lang)}: {how}"


class EvalkitError(Exception):
    """Base class of every error evalkit raises on purpose."""

    def __init__(self, problems: Problem | list[Problem] | str, *, lang: str = "en"):
        if isinstance(problems, str):
            problems = [Problem("generic", params={"message": problems})]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.lang = lang
        super().__init__(*[p.key for p in self.problems])

    def __str__(self) -> str:  # worded when shown, in the error's language
        return self.render(self.lang)

    def render(self, lang: str = "en") -> str:
        if len(self.problems) == 1:
            return self.problems[0].message(lang)
        from ._text import t

        head = t("errors.many_problems", lang, n=len(self.problems))
        body = "\n".join(f"  {i}. {p.message(lang)}" for i, p in enumerate(self.problems, 1))
        return f"{head}\n{body}"

    # convenient accessors for the first problem (tests, notebooks)
    @property
    def file(self) -> str | None:
        return self.problems[0].file

    @property
    def column(self) -> str | None:
        return self.problems[0].column

    @property
    def row(self) -> int | None:
        return self.problems[0].row


class ValidationError(EvalkitError, ValueError):
    """Input data or ``program.yaml`` do not follow the documented format."""


class ProgramIdError(ValidationError):
    """A program folder's name is not a valid program id."""


class StatisticsError(EvalkitError, ValueError):
    """Invalid input to a statistical function (non-numeric data, too few cases...)."""


class ReportError(EvalkitError, RuntimeError):
    """Rendering a report failed (the notebook raised, or an output could not be written)."""
