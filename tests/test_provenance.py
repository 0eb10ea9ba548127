"""The provenance a report records: evalkit's git commit, asked of git once per process."""
from __future__ import annotations

import subprocess

from evalkit import evaluation


def test_git_commit_is_asked_of_git_once_per_folder(monkeypatch, tmp_path):
    calls = []
    real = subprocess.run

    def run(cmd, **kw):
        calls.append((tuple(cmd[:2]), kw.get("cwd")))
        return real(cmd, **kw)

    monkeypatch.setattr(evaluation, "_COMMITS", {})
    monkeypatch.setattr(evaluation.subprocess, "run", run)
    first = evaluation.git_commit()
    assert evaluation.git_commit() == first and evaluation.git_commit() == first
    assert len(calls) in (1, 2)  # rev-parse, and status where there is a commit
    assert calls[0][0] == ("git", "rev-parse")
    assert evaluation.git_commit(tmp_path) is None  # not a checkout: asked, and the answer kept
    n = len(calls)
    assert evaluation.git_commit(tmp_path) is None and len(calls) == n
