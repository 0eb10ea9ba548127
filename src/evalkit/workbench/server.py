"""Start the workbench: Voilà serving ``notebooks/workbench.ipynb`` on 127.0.0.1 with a token.

The notebook ships inside the package (``evalkit/notebooks/workbench.ipynb``, so an installed
wheel can start it); ``notebooks/workbench.ipynb`` of the project is a copy that
``tests/test_workbench.py`` keeps identical. The app reads its settings from environment
variables that the kernel inherits from the server:

``EVALKIT_WORKBENCH_RAW``      folder of programs (new ones are created here)
``EVALKIT_WORKBENCH_OUT``      folder of reports
``EVALKIT_WORKBENCH_LANG``     first language of the interface (id | en)
``EVALKIT_UPLOAD_LIMIT_MB``    largest upload accepted (default :data:`DEFAULT_UPLOAD_MB`)
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

#: the largest upload accepted by default (the websocket's message limit is raised above it)
DEFAULT_UPLOAD_MB = 20.0
HOST = "127.0.0.1"


def notebook_file() -> Path:
    """The workbench notebook inside the installed package."""
    return Path(str(resources.files("evalkit").joinpath("notebooks/workbench.ipynb")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running workbench: ``url`` (with the token), the Voilà process."""

    process: subprocess.Popen
    url: str
    token: str
    port: int
    config_dir: str | None = None

    def stop(self, timeout: float = 10) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.config_dir:
            shutil.rmtree(self.config_dir, ignore_errors=True)


def require_token(req, notebook, cwd):
    """Voilà's prelaunch hook: the page (and so a kernel) only for a request that carries the
    token (``?token=`` or the login cookie set by the first such request); else 403."""
    import tornado.web

    expected = os.environ.get("EVALKIT_WORKBENCH_TOKEN")
    if not expected:
        raise tornado.web.HTTPError(403, "the workbench was started without a token")
    given = req.get_argument("token", None)
    if given is None:
        auth = req.request.headers.get("Authorization", "")
        given = auth.split(" ", 1)[1] if auth.lower().startswith("token ") else None
    if given is None:
        given = req.get_secure_cookie("evalkit-workbench")
        given = given.decode() if given else None
    if given is None or not secrets.compare_digest(str(given), expected):
        raise tornado.web.HTTPError(403, "the workbench needs its token: open the address evalkit workbench printed")
    req.set_secure_cookie("evalkit-workbench", expected, httponly=True, samesite="Strict")
    return notebook


VOILA_CONFIG = """# written by evalkit.workbench.server.start
from evalkit.workbench.server import require_token

c.VoilaConfiguration.prelaunch_hook = require_token
c.VoilaConfiguration.file_allowlist = []
c.VoilaConfiguration.show_tracebacks = False
c.Voila.tornado_settings = {{"websocket_max_message_size": {ws_bytes}}}
"""


def voila_command(port: int, token: str, config_dir: str, *, open_browser: bool = False) -> list[str]:
    """The Voilà command line: bound to 127.0.0.1, a token required (by :func:`require_token`,
    set in the ``voila.py`` of ``config_dir``), no file serving."""
    voila = shutil.which("voila", path=os.path.dirname(sys.executable)) or shutil.which("voila")
    cmd = [voila] if voila else [sys.executable, "-m", "voila"]
    return cmd + [str(notebook_file()), f"--Voila.ip={HOST}", f"--port={port}", f"--token={token}",
                  "--Voila.port_retries=0", f"--Voila.open_browser={open_browser}",
                  f"--Voila.config_file_paths={config_dir}", "--Voila.log_level=WARN"]


def write_config(limit_mb: float) -> str:
    """A private folder holding the workbench's ``voila.py`` (token hook; a websocket message
    limit above the upload limit, so that a large upload gets evalkit's message, not a closed
    connection)."""
    d = tempfile.mkdtemp(prefix="evalkit-workbench-")
    ws = int((max(limit_mb, 1) * 1.5 + 4) * 2**20)
    Path(d, "voila.py").write_text(VOILA_CONFIG.format(ws_bytes=ws), "utf-8")
    return d


def start(raw="data/raw", out="reports", *, port: int = 0, token: str | None = None, lang: str = "id",
          upload_limit_mb: float | None = None, open_browser: bool = False, wait: float = 60,
          env: dict | None = None, log=None) -> Server:
    """Start Voilà in the background and wait until it answers; returns the :class:`Server`."""
    port = port or free_port()
    token = token or secrets.token_urlsafe(24)
    environ = {**os.environ, **(env or {}),
               "EVALKIT_WORKBENCH_RAW": str(Path(raw).resolve()), "EVALKIT_WORKBENCH_OUT": str(Path(out).resolve()),
               "EVALKIT_WORKBENCH_LANG": lang, "EVALKIT_WORKBENCH_TOKEN": token}
    if upload_limit_mb is not None:
        environ["EVALKIT_UPLOAD_LIMIT_MB"] = str(upload_limit_mb)
    limit = upload_limit_mb if upload_limit_mb is not None else float(environ.get("EVALKIT_UPLOAD_LIMIT_MB",
                                                                                   DEFAULT_UPLOAD_MB))
    config_dir = write_config(limit)
    proc = subprocess.Popen(voila_command(port, token, config_dir, open_browser=open_browser), env=environ,
                            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    url = f"http://{HOST}:{port}/?token={token}"
    server = Server(proc, url, token, port, config_dir)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with code {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server  # tornado listens once the app is ready
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"voila did not answer on {HOST}:{port} within {wait:g} s")


def serve(raw="data/raw", out="reports", *, port: int = 0, open_browser: bool = True, lang: str = "id",
          upload_limit_mb: float | None = None) -> int:
    """``evalkit workbench``: start, print the address with its token, run until Ctrl-C."""
    server = start(raw, out, port=port, lang=lang, upload_limit_mb=upload_limit_mb, open_browser=open_browser,
                   log=sys.stderr)
    print(f"[evalkit] workbench → {server.url}", flush=True)
    print("[evalkit] Ctrl-C to stop", flush=True)
    try:
        return server.process.wait()
    except KeyboardInterrupt:
        server.stop()
        return 0
