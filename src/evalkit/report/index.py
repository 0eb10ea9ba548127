"""``reports/index.html``: every rendered program with its headline figures and links.

Rebuilt from the ``metrics.json`` files after every run (failed and partial folders are
skipped), written atomically from a Jinja2 template with autoescaping (program names and
institutions are user text) and the same no-script Content-Security-Policy as the reports.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .. import atomic
from ..i18n import check_lang, fmt_coef, fmt_num, fmt_rp, t


def build_index(out_dir: Path, lang: str = "id") -> Path:
    """Write ``out_dir/index.html`` listing every program report found in ``out_dir``."""
    from .writers.html import render_index

    lang = check_lang(lang)
    out_dir = Path(out_dir)
    rows = []
    for d in sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        mfile = d / "metrics.json"
        if not mfile.exists() or not (d / "report.html").exists():
            continue
        m = json.loads(mfile.read_text(encoding="utf-8"))
        l1, l2, c = m.get("level1") or {}, m.get("level2") or {}, m.get("costs") or {}
        href = quote(d.name)
        links = [("HTML", f"{href}/report.html")]
        links += [(f.upper(), f"{href}/report.{f}") for f in ("docx", "xlsx") if (d / f"report.{f}").exists()]
        rows.append({
            "name": m.get("program_name") or d.name, "pid": d.name, "institution": m.get("institution") or "",
            "cohort": m.get("cohort") or "",
            "figures": [fmt_num(l1.get("overall_mean"), lang) if l1 else "–",
                        fmt_num(l2.get("d_z"), lang) if l2 else "–",
                        fmt_coef(l2.get("class_gain"), lang) if l2 else "–",
                        fmt_rp(c["per_participant"], lang) if c.get("per_participant") else "–"],
            "links": links})
    heads = [t(f"index.{k}", lang) for k in ("program", "institution", "cohort", "reaction", "d_z", "gain",
                                              "cost", "reports")]
    body = render_index(lang=lang, title=t("index.title", lang), intro=t("index.intro", lang, n=len(rows)),
                        heads=heads, rows=rows)
    path = out_dir / "index.html"
    atomic.write_text(path, body)
    return path
