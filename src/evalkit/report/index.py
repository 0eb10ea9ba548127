"""``reports/index.html``: every rendered program with its headline figures and links.

Rebuilt from the ``metrics.json`` files after every run (failed and partial folders are
skipped), written atomically.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from .. import __version__, atomic
from ..i18n import check_lang, fmt_coef, fmt_num, fmt_rp, t

CSS = """<style>
body { font-family: system-ui, sans-serif; max-width: 75rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; border-top: 2px solid #333; border-bottom: 2px solid #333; }
th { text-align: left; border-bottom: 1px solid #333; padding: .4em .6em; }
td { padding: .35em .6em; border-bottom: 1px solid #eee; }
td.num { text-align: right; }
@media print { a { color: inherit; text-decoration: none; } }
</style>"""


def build_index(out_dir: Path, lang: str = "id") -> Path:
    """Write ``out_dir/index.html`` listing every program report found in ``out_dir``."""
    lang = check_lang(lang)
    out_dir = Path(out_dir)
    rows = []
    for d in sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        mfile = d / "metrics.json"
        if not mfile.exists() or not (d / "report.html").exists():
            continue
        m = json.loads(mfile.read_text(encoding="utf-8"))
        l1, l2, c = m.get("level1") or {}, m.get("level2") or {}, m.get("costs") or {}
        links = [f'<a href="{html.escape(d.name)}/report.html">HTML</a>']
        links += [f'<a href="{html.escape(d.name)}/report.{f}">{f.upper()}</a>' for f in ("docx", "xlsx")
                  if (d / f"report.{f}").exists()]
        rows.append("<tr>" + "".join([
            f"<td>{html.escape(m.get('program_name') or d.name)}<br><small>{html.escape(d.name)}</small></td>",
            f"<td>{html.escape(m.get('institution') or '')}</td>",
            f"<td>{html.escape(m.get('cohort') or '')}</td>",
            f"<td class='num'>{fmt_num(l1.get('overall_mean'), lang) if l1 else '–'}</td>",
            f"<td class='num'>{fmt_num(l2.get('d_z'), lang) if l2 else '–'}</td>",
            f"<td class='num'>{fmt_coef(l2.get('class_gain'), lang) if l2 else '–'}</td>",
            f"<td class='num'>{fmt_rp(c['per_participant'], lang) if c.get('per_participant') else '–'}</td>",
            f"<td>{' · '.join(links)}</td>"]) + "</tr>")
    heads = [t(f"index.{k}", lang) for k in ("program", "institution", "cohort", "reaction", "d_z", "gain",
                                              "cost", "reports")]
    body = (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{t('index.title', lang)}</title>"
            f"{CSS}</head><body><h1>{t('index.title', lang)}</h1><p>{t('index.intro', lang, n=len(rows))}</p>"
            "<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in heads) + "</tr></thead><tbody>"
            + "".join(rows) + f"</tbody></table><p><small>evalkit {__version__}</small></p></body></html>")
    path = out_dir / "index.html"
    atomic.write_text(path, body)
    return path
