"""The batch cache never serves a stale report: render_hash covers the inputs, program.yaml,
the evalkit version, the template notebook and the parameters (no kernel needed here)."""
from __future__ import annotations

import json
import shutil

from conftest import MINI, ROOT
from evalkit.report import batch


def _h(prog, **kw):
    kw = {"lang": None, "seed": 2026, "formats": ["html"], **kw}
    return batch.render_hash(prog, **kw)


def test_hash_changes_with_every_input_it_covers(tmp_path, monkeypatch):
    prog = tmp_path / MINI.name
    shutil.copytree(MINI, prog)
    base = _h(prog)
    assert _h(prog) == base  # deterministic
    csv = next(p for p in sorted(prog.iterdir()) if p.suffix == ".csv")
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text + "\n", encoding="utf-8")
    assert _h(prog) != base  # an input file
    csv.write_text(text, encoding="utf-8")
    assert _h(prog) == base
    yml = prog / "program.yaml"
    y = yml.read_text(encoding="utf-8")
    yml.write_text(y + "\n# edited\n", encoding="utf-8")
    assert _h(prog) != base  # program.yaml
    yml.write_text(y, encoding="utf-8")
    (prog / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    assert _h(prog) != base  # a new file in the folder
    (prog / "extra.csv").unlink()
    assert _h(prog) == base
    monkeypatch.setattr(batch, "__version__", batch.__version__ + ".post1")
    assert _h(prog) != base  # the evalkit version
    monkeypatch.undo()
    nb = tmp_path / "template.ipynb"
    src = json.loads((ROOT / "notebooks" / "program_report.ipynb").read_text(encoding="utf-8"))
    nb.write_text(json.dumps(src), encoding="utf-8")
    other = _h(prog, notebook=nb)
    src["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "x"})
    nb.write_text(json.dumps(src), encoding="utf-8")
    assert _h(prog, notebook=nb) != other  # the template
    assert _h(prog, lang="en") != base and _h(prog, seed=1) != base
    assert _h(prog, formats=["html", "docx"]) != base


def test_up_to_date_needs_the_same_hash_and_every_document(tmp_path):
    out, pid = tmp_path / "out", "p"
    (out / pid).mkdir(parents=True)
    assert not batch._up_to_date(out, pid, "abc", ["html"])  # no metrics.json
    (out / pid / "metrics.json").write_text(json.dumps({"render_hash": "abc"}))
    assert not batch._up_to_date(out, pid, "abc", ["html"])  # no report.html
    (out / pid / "report.html").write_text("<html></html>")
    assert batch._up_to_date(out, pid, "abc", ["html"])
    assert not batch._up_to_date(out, pid, "abd", ["html"])  # another hash: rendered again
    assert not batch._up_to_date(out, pid, "abc", ["html", "docx"])
    (out / pid / "metrics.json").write_text("{not json")
    assert not batch._up_to_date(out, pid, "abc", ["html"])
