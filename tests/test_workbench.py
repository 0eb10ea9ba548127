"""The workbench without a browser: the packaged notebook, upload checks, the interface's
logic driven in-process (the browser test drives the same through Voilà), the render job's
progress and the token hook."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from evalkit.errors import ValidationError
from test_new import write_messy_exports


def test_the_project_notebook_is_the_packaged_one():
    """src/evalkit/notebooks/workbench.ipynb is the real file (package data, so a wheel can
    start it); notebooks/workbench.ipynb is a copy kept identical."""
    from evalkit.workbench.server import notebook_file

    packaged = notebook_file()
    assert packaged == ROOT / "src" / "evalkit" / "notebooks" / "workbench.ipynb"
    assert (ROOT / "notebooks" / "workbench.ipynb").read_bytes() == packaged.read_bytes()
    nb = json.loads(packaged.read_text())
    assert [c["cell_type"] for c in nb["cells"]] == ["code"]
    assert "Workbench.from_env().show()" in "".join(nb["cells"][0]["source"])
    assert not nb["cells"][0]["outputs"]


def test_voila_command_binds_localhost_with_a_token(tmp_path):
    from evalkit.workbench.server import voila_command, write_config

    d = write_config(20)
    cmd = voila_command(8999, "s3cret", d)
    assert "--Voila.ip=127.0.0.1" in cmd and "--token=s3cret" in cmd and "--port=8999" in cmd
    conf = (Path(d) / "voila.py").read_text()
    assert "prelaunch_hook = require_token" in conf and "file_allowlist = []" in conf
    assert "websocket_max_message_size\": 35651584" in conf  # (20 × 1.5 + 4) MiB


class _Req:
    def __init__(self, token=None, cookie=None):
        self.token, self.cookie, self.set = token, cookie, {}
        self.request = type("R", (), {"headers": {}})()

    def get_argument(self, name, default=None):
        return self.token if name == "token" and self.token is not None else default

    def get_secure_cookie(self, name):
        return self.cookie

    def set_secure_cookie(self, name, value, **kw):
        self.set[name] = value


def test_token_hook(monkeypatch):
    import tornado.web

    from evalkit.workbench.server import require_token

    monkeypatch.setenv("EVALKIT_WORKBENCH_TOKEN", "abc")
    nb = object()
    req = _Req("abc")
    assert require_token(req, nb, ".") is nb and req.set == {"evalkit-workbench": "abc"}
    assert require_token(_Req(cookie=b"abc"), nb, ".") is nb
    for bad in (_Req(), _Req("abd"), _Req(cookie=b"x")):
        with pytest.raises(tornado.web.HTTPError) as exc:
            require_token(bad, nb, ".")
        assert exc.value.status_code == 403
    monkeypatch.delenv("EVALKIT_WORKBENCH_TOKEN")
    with pytest.raises(tornado.web.HTTPError):
        require_token(_Req("abc"), nb, ".")


def test_upload_checks():
    from evalkit.workbench.files import check_upload

    assert check_upload("../../etc/Evaluasi Penyelenggaraan.CSV", 100) == "Evaluasi_Penyelenggaraan.csv"
    with pytest.raises(ValidationError) as exc:
        check_upload("a.csv", 3 * 2**20, limit_mb=2)
    assert exc.value.problems[0].key == "upload_too_large"
    assert "3.0 MB" in exc.value.render("en") and "2 MB" in exc.value.render("en")
    with pytest.raises(ValidationError) as exc:
        check_upload("laporan.pdf", 10)
    assert exc.value.problems[0].key == "upload_bad_type"


def _upload_value(path: Path):
    import datetime as dt

    data = path.read_bytes()
    return ({"name": path.name, "type": "text/csv", "size": len(data), "content": memoryview(data),
             "last_modified": dt.datetime(2026, 3, 20, tzinfo=dt.timezone.utc)},)


def test_interface_creates_a_program_from_uploads(tmp_path):
    from evalkit.workbench.app import Workbench

    level1, level2 = write_messy_exports(tmp_path / "exports")
    wb = Workbench(tmp_path / "data" / "raw", tmp_path / "reports", lang="en", limit_mb=1)
    wb.pid.value = "uji-dalam-proses"
    wb.name.value, wb.institution.value = "Uji", "BPSDM"
    wb.upload_widgets["level1"].value = _upload_value(level1)
    wb.upload_widgets["level2"].value = _upload_value(level2)
    assert set(wb.uploads) == {"level1", "level2"}
    assert not (tmp_path / "data").exists()  # nothing written before the program is created
    wb._on_infer()
    assert wb.labels_w.value == "setuju5"
    heads = [c.header for c in wb.plan.level1.columns]
    i = heads.index("Saran dan masukan untuk penyelenggaraan berikutnya")
    assert wb.role_w[i].value == "comment"
    wb.role_w[i].value = "ignore"               # a correction: the comment column is not used
    j = heads.index("Sarana kelas nyaman digunakan")
    wb.scale_w[j].value = "Kenyamanan"           # and a question moved to a scale of its own
    wb._on_create()
    assert "ek-ok" in wb.message.value, wb.message.value
    spec = yaml.safe_load((tmp_path / "data" / "raw" / "uji-dalam-proses" / "program.yaml").read_text())
    assert "comment_columns" not in spec["level1"]
    assert spec["instruments"]["reaksi"]["scales"]["kenyamanan"]["items"] == ["kenyamanan_1"]
    assert spec["instruments"]["reaksi"]["scales"]["kenyamanan"]["label"] == {"id": "Kenyamanan", "en": "Kenyamanan"}
    assert spec["instruments"]["reaksi"]["scales"]["sarana"]["items"] == ["sarana_1", "sarana_2"]
    assert "ek-valid" in wb.validation.value and not wb.render_btn.disabled
    assert wb.programs.value == "uji-dalam-proses"
    # the same id again: refused, nothing overwritten
    before = (tmp_path / "data" / "raw" / "uji-dalam-proses" / "program.yaml").read_bytes()
    wb._on_infer()
    assert "ek-error" in wb.message.value
    assert (tmp_path / "data" / "raw" / "uji-dalam-proses" / "program.yaml").read_bytes() == before


def test_interface_refuses_a_large_upload(tmp_path):
    from evalkit.workbench.app import Workbench

    big = tmp_path / "besar.csv"
    big.write_bytes(b"NIP,q\n" + b"199001012015011001,Setuju\n" * 60_000)
    wb = Workbench(tmp_path / "raw", tmp_path / "reports", lang="id", limit_mb=1)
    wb.upload_widgets["level1"].value = _upload_value(big)
    assert "level1" not in wb.uploads
    assert "melebihi batas unggah 1 MB" in wb.upload_info.value
    wb._on_infer()
    assert "Unggah setidaknya satu berkas" in wb.message.value


def test_progress_follows_papermill_cells(tmp_path):
    from evalkit.workbench.files import code_cells, executed_cells

    nb = {"cells": [{"cell_type": "markdown", "metadata": {}},
                    {"cell_type": "code", "metadata": {"papermill": {"status": "completed"}}},
                    {"cell_type": "code", "metadata": {"papermill": {"status": "running"}}},
                    {"cell_type": "code", "metadata": {"papermill": {"status": "pending"}}}]}
    p = tmp_path / "report.ipynb"
    p.write_text(json.dumps(nb))
    assert (code_cells(p), executed_cells(p)) == (3, 1)
    p.write_text("{ half written")
    assert executed_cells(p) == 0
