"""Pseudonymization: no NIP and no name leaves the ingest step.

* A participant's identifier (usually the 18-digit NIP) is replaced by a keyed
  hash, ``P-`` + the first 10 hex digits of HMAC-SHA256(key, id). The same id gives
  the same pseudonym in every file of every program (so Level 1, 2 and 3 data of
  one person link up), but without the key nobody can compute it from a NIP list.
* Name columns and free-text columns that are declared as names are dropped.
* Any other column whose values look like NIPs is pseudonymized as well.

The key
-------
``EVALKIT_KEY`` (environment variable, hex or any text) if set; otherwise the file
named by ``EVALKIT_KEY_FILE``; otherwise ``<project>/.evalkit/pseudonym.key``, created
with 256 random bits on first use (readable by its owner only, ignored by git).
Keep that file safe: with it, the institute can re-identify a participant by
computing the pseudonym of every NIP on its roster (:func:`reidentify`); without it
nobody can.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ._hmac import hmac_digests, hmac_sha256_many  # noqa: F401  (hmac_sha256_many: public here too)

NIP_RE = re.compile(r"^\d{18}$")
PSEUDONYM_LEN = 10


def project_root(start: Path | None = None) -> Path:
    """The nearest folder above ``start`` holding ``pyproject.toml`` or ``.evalkit/``; else the cwd."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / ".evalkit").is_dir() or (d / "pyproject.toml").is_file():
            return d
    return Path.cwd().resolve()


def key_path(start: Path | None = None) -> Path:
    env = os.environ.get("EVALKIT_KEY_FILE")
    if env:
        return Path(env)
    return project_root(start) / ".evalkit" / "pseudonym.key"


@lru_cache(maxsize=8)
def _load_key(path: str, env_key: str | None) -> bytes:
    if env_key:
        return env_key.encode("utf-8")
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32) + "\n")
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, p)  # atomic and never overwrites a key another process just made
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return p.read_text().strip().encode("utf-8")


def get_key(start: Path | None = None) -> bytes:
    return _load_key(str(key_path(start)), os.environ.get("EVALKIT_KEY"))


def normalize_id(value) -> str:
    """Canonical text of an identifier (:func:`evalkit.ingest.nip.parse_id`): the 18 digits of
    a NIP however it was typed (spaces, dots, dashes, a leading apostrophe, full-width digits,
    zero-width characters), other ids case-folded. An Excel number that lost digits has no
    canonical form; its text is used as it is (ingest links such ids by name first)."""
    from .nip import parse_id

    p = parse_id(value)
    if p is None or p.lossy:
        return str(value).strip().lower()
    return p.canonical


def pseudonym(value, key: bytes) -> str:
    """Keyed pseudonym of one identifier.

    Examples
    --------
    >>> pseudonym("197803152005011002", b"k")
    'P-e570804bef'
    """
    mac = hmac.new(key, normalize_id(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return "P-" + mac[:PSEUDONYM_LEN]




def _pseudonyms(key: bytes, messages) -> "np.ndarray":
    """The pseudonym of each message (an id's canonical text, encoded; a list of bytes or a
    fixed-width ``S`` array), as an object array of ``str``: its HMAC-SHA256 by
    :func:`evalkit.ingest._hmac.hmac_digests` (a second process shares a large column's), then
    :func:`_pseudonym_text`."""
    import numpy as np

    return _pseudonym_text(np.frombuffer(hmac_digests(key, messages), dtype=np.uint8).reshape(len(messages), 32))


def _pseudonym_text(digests: "np.ndarray") -> "np.ndarray":
    """``"P-"`` + the first :data:`PSEUDONYM_LEN` hex digits of each digest (rows of a uint8
    array), as an object array of ``str``: the hex digits by a table lookup over all digests at
    once, the strings made by Arrow from one fixed-width buffer."""
    import numpy as np
    import pyarrow as pa

    nbytes = (PSEUDONYM_LEN + 1) // 2
    raw = digests[:, :nbytes]
    hexd = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    text = np.empty((len(digests), 2 + 2 * nbytes), dtype=np.uint8)
    text[:, 0], text[:, 1] = ord("P"), ord("-")
    text[:, 2::2], text[:, 3::2] = hexd[raw >> 4], hexd[raw & 15]
    width = 2 + PSEUDONYM_LEN
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(digests),
                                                 [None, pa.py_buffer(np.ascontiguousarray(text[:, :width]))])
    return fixed.cast(pa.string()).to_numpy(zero_copy_only=False)


def prefetch_pseudonyms(s: pd.Series, key: bytes, cache: dict | None = None):
    """Start the HMACs of a large id column of plain NIPs in a second process, so that this
    one validates and scores the file meanwhile: ``(the filled cells' NIPs as numbers, in row
    order; job)`` for :func:`pseudonymize_series`'s ``prefetched``, or ``None`` where the
    column is not plain NIPs or too small for a second process
    (:func:`evalkit.ingest._hmac.worth_a_process`).

    The second process is started on the column's own bytes (:func:`~evalkit.ingest.nip.
    plain_nip_bytes`) before anything else is worked out: the NIPs' numbers and the distinct
    NIPs (for the duplicate check and the pseudonyms) are found here while it hashes. Safe
    whatever happens to the column afterwards: a plain NIP is its own canonical id, so linkage
    leaves such a column as it is, and rows dropped later (resubmissions, total rows) only
    leave some digests unused; a NIP given twice is hashed twice and its first digest used."""
    from ._hmac import Digests, worth_a_process
    from .nip import plain_nip_bytes, plain_nip_numbers

    messages = plain_nip_bytes(s, cache)
    if messages is None or not worth_a_process(len(messages)):
        return None
    job = Digests(key, messages)
    try:
        numbers = plain_nip_numbers(s, cache)
    except BaseException:
        job.close()
        raise
    return numbers[numbers >= 0], job


def pseudonymize_series(s: pd.Series, key: bytes, cache: dict | None = None, prefetched=None) -> pd.Series:
    """:func:`pseudonym` of every cell (missing stays missing), one HMAC per distinct value;
    a plain 18-digit NIP is its own canonical form, so it skips :func:`normalize_id` (where the
    distinct values are all text, Arrow finds the plain NIPs and turns them into bytes at once).
    ``cache``: the table's ``encodings`` (:func:`evalkit.ingest.nip.plain_nip_codes`);
    ``prefetched``: the column's HMACs started by :func:`prefetch_pseudonyms`, used for every
    NIP they cover (the others are hashed here).

    Examples
    --------
    >>> pseudonymize_series(pd.Series(["197803152005011002", None, "1978 0315 2005 01 1 002"]), b"k").tolist()
    ['P-e570804bef', None, 'P-e570804bef']
    """
    import numpy as np

    import pyarrow as pa
    import pyarrow.compute as pc

    from .cleaning import arrow_dictionary
    from .nip import plain_nip_codes

    found = plain_nip_codes(s, cache)
    if found is not None:  # plain NIPs only (the common column): distinct NIPs found as numbers
        codes, uniq = found
        out = np.empty(len(uniq), dtype=object)  # None: the empty cells (number −1)
        present = np.flatnonzero(uniq >= 0)
        if len(present):
            out[present] = _prefetched(prefetched, uniq[present], key)
        return pd.Series(out[codes], index=s.index, name=s.name, dtype=object)
    enc = arrow_dictionary(s)
    if enc is not None:  # Arrow strings: dictionary-encoded by Arrow
        codes, texts = enc
    else:
        codes, uniq = pd.factorize(s, use_na_sentinel=True)
        try:  # distinct values that are all text go through Arrow too
            texts = pa.array(uniq, type=pa.string())
        except (pa.ArrowTypeError, pa.ArrowInvalid, TypeError):
            texts = None
    if texts is not None:  # plain NIPs found by one regex over all values, as bytes straight from Arrow
        plain = pc.match_substring_regex(texts, r"^[0-9]{18}$").to_numpy(zero_copy_only=False)
        plain_msgs = texts.filter(pa.array(plain)).cast(pa.binary()).to_pylist()
        other = texts.filter(pa.array(~plain)).to_pylist()
    else:
        plain = np.array([isinstance(v, str) and len(v) == 18 and v.isascii() and v.isdigit() for v in uniq],
                         dtype=bool)
        plain_msgs = [v.encode("ascii") for v, p in zip(uniq, plain) if p]
        other = [v for v, p in zip(uniq, plain) if not p]
    msgs = plain_msgs + [normalize_id(v).encode("utf-8") for v in other]
    order = np.concatenate([np.flatnonzero(plain), np.flatnonzero(~plain)])  # where each message's value is
    out = np.empty(len(plain) + 1, dtype=object)
    out[-1] = None  # code −1: a missing cell
    if len(msgs):
        out[order] = _pseudonyms(key, msgs)
    return pd.Series(out[codes], index=s.index, name=s.name, dtype=object)


def _prefetched(prefetched, numbers, key: bytes) -> "np.ndarray":
    """The pseudonyms of the plain NIPs ``numbers``: from the digests of
    :func:`prefetch_pseudonyms` where they cover them, else hashed here."""
    import numpy as np

    from .nip import nip_digits

    if prefetched is None:
        return _pseudonyms(key, nip_digits(numbers))
    known, job = prefetched
    digests = np.frombuffer(job.result(), dtype=np.uint8).reshape(len(known), 32)
    if len(known) == len(numbers) and np.array_equal(known, numbers):  # the column as it was read
        return _pseudonym_text(digests)
    # rows dropped since (a subset, in another order), or a NIP given twice when it was read
    # (its first digest serves)
    index = pd.Index(known)
    rows = None
    if not index.is_unique:
        rows = np.flatnonzero(~index.duplicated(keep="first"))
        index = index[rows]
    pos = index.get_indexer(numbers)
    out = np.empty(len(numbers), dtype=object)
    hit = pos >= 0
    if hit.any():
        out[hit] = _pseudonym_text(digests[pos[hit] if rows is None else rows[pos[hit]]])
    if not hit.all():
        out[~hit] = _pseudonyms(key, nip_digits(numbers[~hit]))
    return out


def looks_like_nip(s: pd.Series) -> bool:
    vals = s.dropna().astype(str).str.replace(r"[\s.\-/'\u200b]", "", regex=True)
    return len(vals) > 0 and vals.str.fullmatch(r"\d{18}").mean() >= 0.5


def reidentify(pseudonyms, roster_ids, key: bytes | None = None) -> dict[str, str]:
    """Map pseudonyms back to ids, given the roster and the key (for the institute only).

    Returns ``{pseudonym: id}`` for every id on the roster whose pseudonym is among ``pseudonyms``.
    """
    key = key or get_key()
    wanted = set(pseudonyms)
    return {p: str(i) for i in roster_ids if (p := pseudonym(i, key)) in wanted}
