"""evalkit — training-impact evaluation for Indonesian civil-service training institutes.

The data path, one subpackage per step::

    data/raw/<program>/            immutable inputs (never written)
      │  evalkit.ingest            read, validate (all problems at once), pseudonymize
      ▼
    data/processed/<program>/      tidy, pseudonymized Parquet tables
      │  evalkit.stats             reliability, pre/post … (pure functions)
      │  evalkit.evaluation        one program's analysis → results + metrics
      ▼
    notebooks/program_report.ipynb parameterized narrative, tables, figures
      │  evalkit.report            papermill + nbconvert, atomic output
      ▼
    reports/<program>/             report.ipynb, report.html, metrics.json

Public functions are imported lazily so ``import evalkit`` stays fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "reliability": "evalkit.stats.reliability",
    "ReliabilityResult": "evalkit.stats.reliability",
    "prepost": "evalkit.stats.prepost",
    "PrePostResult": "evalkit.stats.prepost",
    "hake_band": "evalkit.stats.prepost",
    "normalized_gains": "evalkit.stats.prepost",
    "reliability_table": "evalkit.stats.reliability",
    "item_analysis": "evalkit.stats.items",
    "ItemAnalysisResult": "evalkit.stats.items",
    "item_validity": "evalkit.stats.items",
    "critical_r": "evalkit.stats.items",
    "compare_cohorts": "evalkit.stats.cohorts",
    "CohortResult": "evalkit.stats.cohorts",
    "assessment_path": "evalkit.stats.assessment",
    "AssessmentResult": "evalkit.stats.assessment",
    "ikm": "evalkit.stats.impact",
    "ikm_grade": "evalkit.stats.impact",
    "roi": "evalkit.stats.impact",
    "jp_compliance": "evalkit.stats.impact",
    "phillips_benefits": "evalkit.stats.impact",
    "fully_loaded_costs": "evalkit.stats.impact",
    "icc": "evalkit.stats.agreement",
    "mcnemar": "evalkit.stats.groups",
    "compare_groups": "evalkit.stats.groups",
    "GroupComparisonResult": "evalkit.stats.groups",
    "McNemarResult": "evalkit.stats.groups",
    "ICCResult": "evalkit.stats.agreement",
    "DroppedRowsWarning": "evalkit.stats._conventions",
    "kmo": "evalkit.stats.factor",
    "bartlett": "evalkit.stats.factor",
    "parallel_analysis": "evalkit.stats.factor",
    "efa": "evalkit.stats.factor",
    "cfa": "evalkit.stats.factor",
    "validate_instrument": "evalkit.stats.factor",
    "KMOResult": "evalkit.stats.factor",
    "BartlettResult": "evalkit.stats.factor",
    "ParallelResult": "evalkit.stats.factor",
    "EFAResult": "evalkit.stats.factor",
    "CFAResult": "evalkit.stats.factor",
    "InstrumentValidation": "evalkit.stats.factor",
    "load_program": "evalkit.ingest.program",
    "ProgramData": "evalkit.ingest.program",
    "find_programs": "evalkit.ingest.program",
    "evaluate": "evalkit.evaluation",
    "ProgramEvaluation": "evalkit.evaluation",
    "render_report": "evalkit.report.render",
    "apa_table": "evalkit.report.apa_table",
    "EvalkitError": "evalkit.errors",
    "ValidationError": "evalkit.errors",
    "StatisticsError": "evalkit.errors",
    "ReportError": "evalkit.errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
