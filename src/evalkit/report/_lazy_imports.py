"""Import costs the report's main process need not pay.

``jsonschema`` (imported by nbformat, hence by papermill and nbconvert) imports
``rfc3987_syntax`` for its ``iri`` format checker, and that package builds an Earley parser
of the RFC 3987 grammar at import time: about a second of CPU, for a format that no
notebook schema uses. :func:`defer_rfc3987_syntax` puts a stand-in module in its place
whose functions import the real package on their first call, so every IRI check still
runs the real parser; only its import is deferred until it is needed.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types


def defer_rfc3987_syntax() -> bool:
    """Install the deferring stand-in for ``rfc3987_syntax`` (once; not when the package is
    missing or already imported). True when it is in place."""
    if "rfc3987_syntax" in sys.modules:
        return getattr(sys.modules["rfc3987_syntax"], "_evalkit_deferred", False)
    try:
        spec = importlib.util.find_spec("rfc3987_syntax")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    mod = types.ModuleType("rfc3987_syntax")
    mod.__spec__ = spec
    mod.__path__ = list(spec.submodule_search_locations)
    mod.__file__ = spec.origin
    mod._evalkit_deferred = True

    def _real():
        return importlib.import_module("rfc3987_syntax.syntax_helpers")

    def is_valid_syntax(term: str, value: str):
        return _real().is_valid_syntax(term, value)

    def parse(term: str, value: str):
        return _real().parse(term, value)

    mod.is_valid_syntax, mod.parse = is_valid_syntax, parse
    sys.modules["rfc3987_syntax"] = mod
    return True


defer_rfc3987_syntax()
