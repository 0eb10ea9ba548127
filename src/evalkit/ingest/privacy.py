"""Personal data out of free text: NIPs and participants' names are masked wherever text
leaves ingest (comments, subject names, indicator names, cost items, program.yaml's free
text), not only in comment columns.

Text is compared in a *folded* form (:func:`evalkit.ingest.nip.fold` per character: NFKC,
accents removed, case folded, zero-width characters dropped, any run of white space —
no-break spaces included — one space) and the matches are replaced in the original text,
so ``SITI  Nurhalizá``, ``siti\\u00a0nurhaliza`` and ``Siti Nurhaliza`` are all masked.

NIP-shaped values: 18 digits with any separators between them (spaces, dots, dashes,
slashes: ``19831207/200712/1/947``), full-width digits, zero-width characters, and Excel's
scientific notation of an 18-digit number (``1.99910282025061e+17``).
"""
from __future__ import annotations

import re
import unicodedata

from .nip import ZERO_WIDTH, name_key

NIP_MASK = "[NIP]"
NAME_MASK = "[nama]"

_NIP_FOLDED = re.compile(r"(?<!\d)\d(?:[ ./\-]{0,3}\d){17}(?![ ./\-]{0,3}\d)|(?<![\d.])\d[.,]\d{5,16}e\+?1[67](?!\d)")


def _fold_chars(text: str) -> tuple[str, list[int]]:
    """``(folded text, original index of each folded character)``."""
    out: list[str] = []
    src: list[int] = []
    prev_space = True
    for i, ch in enumerate(text):
        if ch in ZERO_WIDTH:
            continue
        if ch.isspace():
            if not prev_space:
                out.append(" ")
                src.append(i)
            prev_space = True
            continue
        dec = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in dec if not unicodedata.combining(c))
        folded = unicodedata.normalize("NFKC", base).casefold()
        for c in folded:
            out.append(c)
            src.append(i)
        prev_space = False
    return "".join(out), src


def _forms(name: str) -> set[str]:
    """The folded ways a name is written: in full, without the titles after the comma, without
    any title, without dots, and with abbreviations expanded (:func:`name_key`)."""
    from .nip import TITLES

    full = _fold_chars(name)[0]
    head = full.split(",")[0].strip()
    bare = " ".join(t for t in head.split() if re.sub(r"[^\w]", "", t) not in TITLES or "." not in t)
    return {full, head, bare, bare.replace(".", ""), re.sub(r"\.(?=\S)", ". ", bare), name_key(name)}


class Masker:
    """Masks NIPs and the given names in free text.

    Parameters
    ----------
    names : iterable of str
        Participants' (and instructors') names as written in any file; each is matched in its
        folded form and without titles (``Dr. Siti Aminah, M.Si`` also masks ``Siti Aminah``).
    ids : iterable of str
        Other identifiers to mask verbatim (folded), e.g. ids that are not NIP-shaped.

    Examples
    --------
    >>> m = Masker(["Siti Nurhaliza"])
    >>> m("Terima kasih SITI\\u00a0 nurhalizá (NIP 19831207/200712/1/947)")
    'Terima kasih [nama] (NIP [NIP])'
    """

    def __init__(self, names=(), ids=()):
        pats = set()
        for n in names:
            if n is None:
                continue
            for form in _forms(str(n)):
                form = form.strip(" ,.")
                if len(form.replace(" ", "")) >= 3 and " " in form or len(form) >= 5:
                    pats.add(form)
        for v in ids:
            f = _fold_chars(str(v))[0].strip()
            if len(f) >= 4:
                pats.add(f)
        alts = sorted(pats, key=len, reverse=True)
        self._names = (re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a).replace(r"\ ", " ?") for a in alts) + r")(?!\w)")
                       if alts else None)

    def __call__(self, text):
        if not isinstance(text, str) or not text:
            return text
        folded, src = _fold_chars(text)
        spans = [(m.start(), m.end(), NIP_MASK) for m in _NIP_FOLDED.finditer(folded)]
        if self._names is not None:
            spans += [(m.start(), m.end(), NAME_MASK) for m in self._names.finditer(folded)]
        if not spans:
            return text
        spans.sort()
        merged: list[list] = []
        for a, b, tag in spans:
            if merged and a < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
                continue
            merged.append([a, b, tag])
        out = text
        for a, b, tag in reversed(merged):
            oa, ob = src[a], src[b - 1] + 1
            out = out[:oa] + tag + out[ob:]
        return out

    def frame(self, df, columns=None):
        """Mask every text cell of ``df`` (or of ``columns``), in a copy; distinct values once."""
        import pandas as pd

        out = df.copy(deep=False)  # copy-on-write: a changed column is replaced in the copy only
        for c in (columns if columns is not None else out.columns):
            s = out[c]
            if s.dtype == object or pd.api.types.is_string_dtype(s):
                uniq = pd.unique(s.dropna())
                mapping = {u: self(u) for u in uniq if isinstance(u, str)}
                changed = {k: v for k, v in mapping.items() if k != v}
                if changed:
                    out[c] = s.map(lambda v: changed.get(v, v) if isinstance(v, str) else v).astype(s.dtype)
        return out
