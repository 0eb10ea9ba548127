"""One canonical form of a participant identifier (NIP) and of a person's name.

A NIP (*Nomor Induk Pegawai*) has 18 digits: birth date (8), appointment month (6), sex
(1), serial number (3). People and spreadsheets write the same NIP in many ways; all of
these are one person::

    199602042025061002        plain
    19960204 202506 1 002     grouped with spaces (the official card's layout)
    1996.0204.2025.06.1.002   dots, dashes or slashes between the groups
    '199602042025061002       Excel's "store as text" apostrophe
    １９９６０２０４…           full-width digits, zero-width spaces, no-break spaces
    199602042025061002.0      an Excel number read back as a float

:func:`canonical_id` maps every such form to the 18 digits. An Excel *number* that has
lost digits (``1.99910282025061e+17``: only 15 significant digits survive) is **not** a
key: :func:`parse_id` returns it as *lossy* with the digits that survived, and
:func:`evalkit.ingest.linkage.resolve_lossy` links it to a participant only when those
digits agree and the name matches. Identifiers that are not NIPs (``P-001``) are kept as
text, case-folded.

Names are compared by :func:`name_key` after Unicode normalisation (NFKC, accents
removed, case folded, any white space — also no-break and zero-width — as one space),
with academic and religious titles removed, and :func:`names_match` tolerates
abbreviations (``Moh.``/``Mohammad``) and small typos.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

#: characters that are invisible in a spreadsheet but change a string
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZW_RE = re.compile(f"[{ZERO_WIDTH}]")
_SEP_RE = re.compile(r"[\s.\-/_]")
_SCI_RE = re.compile(r"^(\d)(?:\.(\d+))?[eE]\+?(\d+)$")
_FLOAT_INT_RE = re.compile(r"^(\d+)\.0+$")

NIP_DIGITS = 18
#: significant digits an IEEE double (Excel's number) keeps reliably
DOUBLE_DIGITS = 15


def clean_text(value) -> str:
    """NFKC (full-width digits → ASCII), zero-width characters removed, white space folded.

    Examples
    --------
    >>> clean_text("１９９６\u200b0204  x")
    '19960204 x'
    """
    s = unicodedata.normalize("NFKC", str(value))
    s = _ZW_RE.sub("", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass(frozen=True)
class ParsedId:
    """An identifier as read: ``canonical`` (18 digits or folded text), or, for an Excel
    number that lost digits, ``lossy=True`` with ``prefix`` (the digits that survived),
    ``magnitude`` (the number it stands for) and ``digits`` (how many are significant)."""

    canonical: str
    lossy: bool = False
    prefix: str = ""
    magnitude: float = 0.0
    digits: int = NIP_DIGITS


def parse_id(value) -> ParsedId | None:
    """Parse one identifier cell; ``None`` for an empty cell.

    Examples
    --------
    >>> parse_id("19960204 202506 1 002").canonical
    '199602042025061002'
    >>> parse_id("'199912082025062003").canonical
    '199912082025062003'
    >>> p = parse_id("1.99910282025061e+17"); p.lossy, p.prefix
    (True, '199910282025061')
    >>> parse_id(199602042025061002.0).lossy   # a float cannot hold 18 digits
    True
    >>> parse_id(" P-001 ").canonical
    'p-001'
    """
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) >= 10 ** DOUBLE_DIGITS:
            return _lossy_from_float(value)
        if value.is_integer():
            return ParsedId(str(int(value)))
    if isinstance(value, int) and not isinstance(value, bool):
        return ParsedId(str(value))
    s = clean_text(value)
    if not s:
        return None
    s = s.lstrip("'\u2018\u2019`").strip()
    if not s:
        return None
    m = _SCI_RE.match(s.replace(",", "."))
    if m:
        return _lossy_from_sci(m)
    m = _FLOAT_INT_RE.match(s)
    if m:
        s = m.group(1)
        if len(s) > DOUBLE_DIGITS:  # an Excel float printed in full: the tail is noise
            return _lossy_from_float(float(s))
    digits = _SEP_RE.sub("", s)
    if digits.isdigit():
        return ParsedId(digits)
    return ParsedId(s.casefold())


def _lossy_from_sci(m: re.Match) -> ParsedId:
    lead, frac, exp = m.group(1), m.group(2) or "", int(m.group(3))
    mant = (lead + frac).rstrip("0") or "0"
    total = exp + 1
    if len(mant) >= total:  # every digit survived: not lossy (e.g. 1.5e+3)
        return ParsedId((lead + frac)[:total].ljust(total, "0"))
    return ParsedId("", lossy=True, prefix=mant[:DOUBLE_DIGITS], magnitude=float(m.group(0)),
                    digits=min(len(mant), DOUBLE_DIGITS))


def _lossy_from_float(x: float) -> ParsedId:
    s = f"{x:.{DOUBLE_DIGITS - 1}e}"  # 15 significant digits, as Excel shows them
    mant, exp = s.split("e")
    digits = mant.replace(".", "").rstrip("0")
    total = int(exp) + 1
    if len(digits) >= total:
        return ParsedId(digits[:total])
    return ParsedId("", lossy=True, prefix=digits, magnitude=float(x), digits=len(digits))


def canonical_id(value) -> str | None:
    """The canonical text of an identifier, or ``None`` (empty, or an Excel number that lost
    digits: never use those as keys — see :func:`parse_id`).

    Examples
    --------
    >>> canonical_id("1996-0204-2025-06-1-002")
    '199602042025061002'
    >>> canonical_id("1.99910282025061e+17") is None
    True
    """
    p = parse_id(value)
    return None if p is None or p.lossy else p.canonical


def agrees(parsed: ParsedId, candidate: str) -> bool:
    """Whether an exact 18-digit ``candidate`` could be the NIP an Excel number rounded:
    rounding the candidate to ``parsed.digits`` significant digits gives the same number."""
    if not parsed.lossy or not candidate.isdigit() or len(candidate) != NIP_DIGITS:
        return False
    d = parsed.digits
    return f"{int(candidate):.{d - 1}e}" == f"{parsed.magnitude:.{d - 1}e}"


# --- names ----------------------------------------------------------------------------

#: academic, professional and religious titles dropped before names are compared
TITLES = {
    "dr", "drs", "dra", "ir", "prof", "h", "hj", "hajah", "haji", "kh", "st", "sst", "amd", "se", "sh", "spd",
    "skom", "sip", "sos", "ssos", "si", "msi", "mm", "mpd", "mt", "mkes", "skm", "ssi", "st", "sp", "mh",
    "msc", "ma", "mba", "phd", "ak", "cpa", "sked", "apt", "ns", "skep", "ssit", "sthi", "lc", "me", "mkom",
    "map", "mpa", "sag", "mag", "shi", "mhi", "spsi", "mpsi", "sm", "sgz", "bsc", "ba", "mse", "dipl",
}
#: common abbreviations of given names
ABBREVIATIONS = {"moh": "mohammad", "moch": "mohammad", "mochammad": "mohammad", "muh": "muhammad",
                 "muhamad": "muhammad", "mohamad": "mohammad", "mhd": "muhammad", "md": "muhammad",
                 "abd": "abdul", "nyoman": "nyoman", "siti": "siti", "st": "siti"}


def fold(text) -> str:
    """Text folded for comparison: NFKC, accents removed, case folded, zero-width characters
    removed, every run of white space one space.

    Examples
    --------
    >>> fold("  SITI\u00a0 Nurhalizá ")
    'siti nurhaliza'
    """
    s = unicodedata.normalize("NFKD", clean_text(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s).casefold()).strip()


def name_key(name) -> str:
    """A name without titles and punctuation, folded (``"Dr. Moh. Rizky, S.Kom., M.Si"`` →
    ``"mohammad rizky"``).

    Examples
    --------
    >>> name_key("Dr. Moh. Rizky Saputra, S.Kom., M.Si.")
    'mohammad rizky saputra'
    """
    s = fold(name)
    head, *_titles_after = s.split(",")  # "Name, S.Kom., M.Si": titles follow a comma
    tokens = []
    for tok in re.split(r"[\s]+", head):
        bare = re.sub(r"[^\w]", "", tok)
        if not bare or (bare in TITLES and tok.endswith(".")) or (bare in TITLES and not tokens and "." in tok):
            continue
        tokens.append(ABBREVIATIONS.get(bare, bare))
    return " ".join(tokens)


def names_match(a, b, *, cutoff: float = 0.85) -> bool:
    """Whether two written names are the same person's name: equal keys, the same tokens
    with one an initial or abbreviation of the other, or a similarity ratio ≥ ``cutoff``.

    Examples
    --------
    >>> names_match("Moh. Rizky Saputra", "Mohammad Rizky Saputra, S.Kom")
    True
    >>> names_match("Rizky Saputra", "Rizki Saputra")
    True
    >>> names_match("Rizky Saputra", "Indah Wibowo")
    False
    """
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    ta, tb = ka.split(), kb.split()
    if len(ta) == len(tb) and all(x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))
                                  for x, y in zip(ta, tb)):
        return True
    return difflib.SequenceMatcher(None, ka, kb).ratio() >= cutoff


def plain_nip_bytes(s, cache: dict | None = None) -> np.ndarray | None:
    """The filled cells of a column of plain NIPs, in row order, as a fixed-width bytes array
    (``S18``), when every cell that is not empty is exactly 18 ASCII digits; else ``None``
    (also for a column with no filled cell). ``cache``: as for :func:`plain_nip_numbers`.

    The test is made on the Arrow column's own buffers: every filled cell 18 bytes long (its
    offsets) and every one of those bytes ``0``–``9`` — the same cells as the regular
    expression ``^[0-9]{18}$`` accepts (a character outside ASCII is two bytes or more, none of
    them a digit). Its cells are then one after the other in the data buffer, which is taken as
    it is: a million NIPs in a few hundredths of a second, ready for the HMACs of
    :func:`evalkit.ingest.pseudonymize.prefetch_pseudonyms` without a Python object per NIP.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["199602042025061002", None, "000000000000000042"], dtype="string[pyarrow]")
    >>> plain_nip_bytes(s).tolist()
    [b'199602042025061002', b'000000000000000042']
    >>> plain_nip_bytes(pd.Series(["19960204 202506 1 002"], dtype="string[pyarrow]")) is None
    True
    """
    return _once_per_column(s, cache, "nipbytes", _nip_bytes)


def _once_per_column(s, cache: dict | None, kind: str, work):
    """``work`` of the Arrow array of the column ``s`` (``None`` for a column that is not
    Arrow-backed), worked out once and kept in ``cache`` under ``kind`` (a ``None`` answer
    kept as ``False``, so that it is not worked out again either)."""
    arr = getattr(getattr(s, "array", None), "_pa_array", None)
    if arr is None:
        return None
    from .cleaning import cached, keep_in

    known = cached(cache, s, kind)
    if known is not None:
        return None if known is False else known
    found = work(arr)
    keep_in(cache, s, False if found is None else found, kind)
    return found


def _nip_bytes(arr) -> np.ndarray | None:
    """:func:`plain_nip_bytes` of an Arrow (chunked) string array."""
    import pyarrow as pa

    if arr.null_count == len(arr):
        return None
    parts = []
    for chunk in arr.drop_null().chunks:  # a null's slot may hold bytes: the filled cells alone
        if not len(chunk):
            continue
        if pa.types.is_large_string(chunk.type):
            width = np.int64
        elif pa.types.is_string(chunk.type):
            width = np.int32
        else:
            return None
        _, offsets, data = chunk.buffers()
        offsets = np.frombuffer(offsets, dtype=width, count=len(chunk) + 1, offset=chunk.offset * np.dtype(width).itemsize)
        if not (np.diff(offsets) == 18).all():
            return None
        start = int(offsets[0])
        digits = np.frombuffer(data, dtype=np.uint8, count=18 * len(chunk), offset=start)
        if not ((digits - np.uint8(48)) < 10).all():  # wraps below "0": one comparison per byte
            return None
        parts.append(np.frombuffer(data, dtype="S18", count=len(chunk), offset=start))
    return np.concatenate(parts) if len(parts) != 1 else parts[0]  # one block: the buffer itself, read-only


def plain_nip_numbers(s, cache: dict | None = None):
    """The column's NIPs as 64-bit integers (−1 for an empty cell) when every cell that is
    not empty is exactly 18 ASCII digits (:func:`plain_nip_bytes`), else ``None``. ``cache`` (a
    table's ``encodings``): the answer for a column is worked out once and kept there for the
    next rule that asks (duplicates, resubmissions, pseudonyms all look at the same id column).

    Two 18-digit strings are equal exactly when their numbers are (no NIP has more than 18
    digits, and 10^18 − 1 fits in an int64), so duplicates and distinct NIPs can be found on
    the numbers — a million NIPs in a few milliseconds, where hashing the text costs a
    noticeable fraction of a second. Only Arrow-backed text columns are looked at (the
    reader's columns); any other column gives ``None``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["199602042025061002", None, "000000000000000042"], dtype="string[pyarrow]")
    >>> plain_nip_numbers(s).tolist()
    [199602042025061002, -1, 42]
    >>> plain_nip_numbers(pd.Series(["19960204 202506 1 002"], dtype="string[pyarrow]")) is None
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def numbers(arr):
        if plain_nip_bytes(s, cache) is None:
            return None
        return pc.cast(arr, pa.int64()).fill_null(-1).to_numpy(zero_copy_only=False)

    return _once_per_column(s, cache, "nip", numbers)


def plain_nip_codes(s, cache: dict | None = None):
    """``(codes, distinct numbers)`` of :func:`plain_nip_numbers` by :func:`pandas.factorize`
    (the distinct NIPs in the order they first appear; −1 among them stands for the empty
    cells), or ``None`` where the column is not plain NIPs. Kept in ``cache`` like the numbers:
    the duplicate check and the pseudonyms factorize a million NIPs once between them.

    Examples
    --------
    >>> import pandas as pd
    >>> codes, uniq = plain_nip_codes(pd.Series(["199602042025061002", None, "199602042025061002"],
    ...                                         dtype="string[pyarrow]"))
    >>> codes.tolist(), uniq.tolist()
    ([0, 1, 0], [199602042025061002, -1])
    """
    import pandas as pd

    def codes(arr):
        numbers = plain_nip_numbers(s, cache)
        return None if numbers is None else pd.factorize(numbers)

    return _once_per_column(s, cache, "nipcodes", codes)


def plain_nip_duplicates(s, cache: dict | None = None) -> np.ndarray | None:
    """Boolean mask of the filled cells of a column of plain NIPs that repeat a NIP of an
    earlier row, found on :func:`plain_nip_codes` (``None`` where the column is not plain
    NIPs). With as many distinct NIPs as filled cells — the usual column — no row is looked at
    again. The duplicate check of validation and the resubmission rule ask it of the same column.

    Examples
    --------
    >>> import pandas as pd
    >>> plain_nip_duplicates(pd.Series(["199602042025061002", None, None, "199602042025061002"],
    ...                                dtype="string[pyarrow]")).tolist()
    [False, False, False, True]
    """
    found = plain_nip_codes(s, cache)
    if found is None:
        return None
    codes, uniq = found
    filled = s.notna().to_numpy()
    if int((uniq >= 0).sum()) == int(filled.sum()):
        return np.zeros(len(s), dtype=bool)
    import pandas as pd

    return pd.Series(codes).duplicated(keep="first").to_numpy() & filled


def nip_digits(numbers) -> np.ndarray:
    """The 18 ASCII digits of each number of :func:`plain_nip_numbers` (zeros kept), as a
    fixed-width bytes array (``S18``: one buffer, no Python object per NIP).

    Examples
    --------
    >>> import numpy as np
    >>> nip_digits(np.array([199602042025061002, 42])).tolist()
    [b'199602042025061002', b'000000000000000042']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = np.asarray(numbers, dtype=np.int64)
    if len(numbers) and (numbers.min() < 0 or numbers.max() >= 10 ** 18):
        raise ValueError("a plain NIP's number is from 0 to 10^18 - 1")
    # Arrow writes the decimal digits and pads them to 18 with zeros: every value then has
    # exactly 18 bytes, one after the other in the array's data buffer
    text = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), 18, "0")
    start = int(np.frombuffer(text.buffers()[1], dtype=np.int32, count=1, offset=4 * text.offset)[0])
    return np.frombuffer(text.buffers()[2], dtype="S18", count=len(numbers), offset=start).copy()
