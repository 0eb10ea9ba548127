"""The SMART Training replication: published totals reproduced; the notebook runs under papermill."""
from __future__ import annotations

import nbformat
import pytest

from conftest import ROOT
from evalkit.studies import PUBLISHED, smart_training

STUDY = ROOT / "data" / "raw" / "studies" / "smart-training-2024"


def test_published_cost_totals_are_reproduced():
    s = smart_training(STUDY)
    assert s.comparison.loc["classroom", "total"] == PUBLISHED["classroom_total"] == 91_829_000
    assert s.comparison.loc["online", "total"] == PUBLISHED["online_total"] == 13_731_988
    assert s.comparison.loc["online", "saving_pct"] == pytest.approx((91_829_000 - 13_731_988) / 91_829_000 * 100)
    assert s.comparison.loc["classroom", "per_participant"] == pytest.approx(91_829_000 / 30)
    assert s.checks["matches"].all()
    # only the two online lump sums cannot be recomputed as unit cost × quantity
    assert sorted(s.line_checks["line"].tolist()) == [1, 12] and s.line_checks["lump_sum"].all()


def test_survey_remainder():
    s = smart_training(STUDY)
    assert len(s.survey) == 7
    assert s.survey.loc[0, "pct_other"] == pytest.approx(100 - 62.0 - 25.9)


@pytest.mark.e2e
def test_study_notebook_runs_under_papermill(tmp_path):
    import papermill as pm

    out = tmp_path / "smart.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "studies" / "smart_training.ipynb"), str(out),
                        parameters={"lang": "en"}, cwd=str(ROOT), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("91829000" in str(o.get("data", {})) for o in outputs)
