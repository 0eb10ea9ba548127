"""The web workbench: a Voilà app over an ipywidgets notebook (``evalkit workbench``).

* :class:`~evalkit.workbench.app.Workbench` — the interface (create, open, validate, render,
  preview, download);
* :func:`~evalkit.workbench.server.start` / :func:`~evalkit.workbench.server.serve` — Voilà on
  127.0.0.1 with a token;
* :mod:`evalkit.workbench.files` — upload checks and the render job (``evalkit report`` in a
  subprocess, with progress).

``ipywidgets`` is imported only by :mod:`evalkit.workbench.app`.
"""
from .files import RenderJob, check_upload, grid_from_bytes
from .server import Server, notebook_file, serve, start

__all__ = ["RenderJob", "Server", "check_upload", "grid_from_bytes", "notebook_file", "serve", "start"]
