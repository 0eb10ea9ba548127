"""Warm kernels for batch rendering (Linux): still one fresh kernel per notebook, but forked
from a process that has already imported ipykernel and evalkit's report modules.

Starting a kernel and importing pandas, SciPy, matplotlib and evalkit costs about two seconds
of CPU per notebook — a third of a report. A batch worker therefore starts one *fork
server*: a child process that imports all of that once and then, for each notebook, forks a
new process that becomes that notebook's kernel (``IPKernelApp`` with the connection file
jupyter_client wrote). Nothing is shared between notebooks: each kernel is a new process
with its own memory, ended when its notebook is done, exactly as a spawned kernel.

The fork server starts no thread (only imports; the numerical libraries' thread pools are
set to one thread, :func:`server_env`; pyarrow's jemalloc keeps a background thread and
handles a fork itself), so forking it is safe. Kernels are
double-forked and re-parented to the worker, which marks itself a *child subreaper*
(``prctl(PR_SET_CHILD_SUBREAPER)``) so it can wait for them. Anything unusual — another
platform, a kernelspec that is not ``ipykernel_launcher``, a fork server that died — falls
back to jupyter_client's ordinary launch. ``EVALKIT_FORK_KERNELS=0`` turns it off.
"""
from __future__ import annotations

import atexit
import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid


#: how often (ms) a report's client tries again to reach a kernel's ports before they are bound
RECONNECT_MS = 5

PRELOAD = ("numpy", "pandas", "scipy.stats", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
           "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython", "evalkit.report.sections",
           "evalkit.report.writers.html", "evalkit.report.writers.docx", "evalkit.report.writers.xlsx", "jinja2",
           "markdown_it", "nh3", "docx", "xlsxwriter", "evalkit.report.figure_server", "zlib_ng.zlib_ng",
           # imported by the evaluation on first use: once here, not in every kernel
           "evalkit.stats.chain", "evalkit.stats.costs", "evalkit.stats.factor", "evalkit.stats.impact",
           "evalkit.ingest.handoff", "pandas.core.methods.to_dict",
           # imported by IPKernelApp.initialize and the first cells (with the address lookup in
           # _warm_up: a kernel's initialize 0.106 → 0.070 s of CPU, profiled)
           "psutil", "pdb", "faulthandler", "resource", "tornado.platform.asyncio", "zmq.utils.garbage",
           "IPython.core.debugger", "IPython.core.oinspect", "IPython.core.completerlib", "IPython.core.logger",
           "IPython.extensions.storemagic", "IPython.utils.wildcard")


#: the collector's thresholds in the fork server and so in every kernel forked from it
KERNEL_GC_THRESHOLD = (10_000, 10, 10)

#: the numerical libraries' thread pools, one thread each in the fork server and so in every
#: kernel (unless the user's environment sets them): see :func:`server_env`
SINGLE_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")

#: glibc's malloc in the fork server and its kernels: blocks below 256 MB from the heap, and freed
#: memory kept until 512 MB of it is free (see :func:`server_env`)
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(256 << 20), "MALLOC_TRIM_THRESHOLD_": str(512 << 20)}


def server_env(base) -> dict:
    """The fork server's environment: ``base`` with matplotlib's inline backend, the thread
    pools of OpenBLAS (NumPy's and SciPy's each), MKL and OpenMP set to one thread where
    ``base`` does not set them, and glibc's malloc thresholds (``MALLOC_ENV``) where it sets
    neither.

    OpenBLAS starts a pool of one thread per core when it is loaded; a report's matrices are
    small (a scale's items, a few hundred respondents), where a second thread only spins:
    300 rounds of ``X.T @ X``, inverse and Cholesky of a 300 × 40 matrix took 0.050 s of CPU
    with the pool and 0.025 s without, in the same 0.025–0.035 s of wall time. Two kernels on
    two cores (a batch with ``--workers 2``) spent ~0.15 CPU-s a report more with the pools
    (20 programs: 45.3–45.8 CPU-s with them, 41.9–43.4 without). And with no pool the fork
    server runs no thread of its own to fork (jemalloc's background thread, from pyarrow,
    handles a fork itself).

    And glibc's malloc keeps what a kernel frees for its next allocations (``MALLOC_ENV``,
    where ``base`` sets neither): by default a block of more than 128 KB–32 MB is a fresh
    ``mmap`` given back at ``free``, so each figure's 300-dpi canvas (~11 MB), each PNG buffer
    and each large array was new memory whose every page faulted in when first written. A
    kernel is short-lived, so holding freed memory costs nothing (its peak is its peak): the pkp
    sample's kernel 25,000 → 17,600 page faults, peak 258 → 247 MB. What a fault costs varies
    on a shared virtual machine — touching fresh memory measured 0.7 µs a page at one moment and
    19–24 µs at others here, when the host had taken the memory back."""
    env = {**base, "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    for name in SINGLE_THREAD_ENV:
        env.setdefault(name, "1")
    if not any(name in base for name in MALLOC_ENV):
        env.update(MALLOC_ENV)
    return env


def enabled() -> bool:
    return sys.platform.startswith("linux") and os.environ.get("EVALKIT_FORK_KERNELS", "1") != "0"


class _ForkedKernel:
    """The Popen-like handle jupyter_client's provisioner expects, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # not re-parented to us: fall back to asking the OS
                try:
                    os.kill(self.pid, 0)
                    return None
                except ProcessLookupError:
                    self.returncode = 0
                    return 0
            if pid == 0:
                return None
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """One per worker process: see the module docstring."""

    _instance: ForkServer | None = None
    _lock = threading.Lock()

    def __init__(self, wait: bool = True):
        if not _become_subreaper():  # kernels re-parented to init would think the parent died
            raise RuntimeError("cannot become a child subreaper")
        env = server_env(os.environ)
        self.proc = subprocess.Popen([sys.executable, "-m", "evalkit.report.kernels"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        self.ready = False
        self.launched: list[int] = []  # pids of the kernels forked so far
        atexit.register(self.stop)
        if wait:
            self._wait_ready()

    def stop(self) -> None:
        """End the fork server now (at exit: a command that failed before its first report
        would otherwise leave it importing the scientific stack for nothing, ~2.5 s of a
        core). Kernels it forked are processes of their own and are not touched."""
        if self.proc.poll() is None:
            self.proc.kill()  # it holds no state: only imports, and kernels forked from it
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignored
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def _wait_ready(self) -> None:
        if not self.ready:
            if self.proc.stdout.readline().strip() != "ready":
                raise RuntimeError("the kernel fork server did not start")
            self.ready = True

    @classmethod
    def prestart(cls) -> None:
        """Start this process's fork server without waiting for it: its imports (pandas,
        SciPy, matplotlib, evalkit's report) then run beside the caller's own work (validating
        the program, importing papermill) instead of after it. Never raises."""
        if not enabled():
            return
        with cls._lock:
            if cls._instance is not None and cls._instance.proc.poll() is None:
                return
            try:
                cls._instance = cls(wait=False)
            except (OSError, RuntimeError):
                cls._instance = None

    @classmethod
    def get(cls) -> ForkServer | None:
        """This process's fork server (started on first use), or None when it cannot run."""
        with cls._lock:
            if cls._instance is not None and cls._instance.proc.poll() is None:
                try:
                    cls._instance._wait_ready()
                    return cls._instance
                except (OSError, RuntimeError):
                    cls._instance = None
            try:
                cls._instance = cls()
            except (OSError, RuntimeError):
                cls._instance = None
            return cls._instance

    def launch(self, argv: list[str], env: dict, cwd: str) -> int:
        with self._lock:
            self.proc.stdin.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line.strip().isdigit() or int(line) <= 0:
            raise RuntimeError("the kernel fork server did not answer")
        self.launched.append(int(line))
        return int(line)


def _jupyter_classes() -> dict:
    """The classes that plug the fork server into jupyter_client, built on first use: this
    module is imported first thing by ``evalkit report`` to start the fork server, and
    jupyter_client's import (~0.15 s) would delay that start."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner
    from traitlets import default

    class ForkProvisioner(LocalProvisioner):
        """Launches the kernel through the :class:`ForkServer` (falls back to a normal launch)."""

        async def launch_kernel(self, cmd: list[str], **kwargs):
            server = ForkServer.get() if enabled() else None
            if server is None or "ipykernel_launcher" not in cmd:
                return await super().launch_kernel(cmd, **kwargs)
            argv = cmd[cmd.index("ipykernel_launcher") + 1:]
            env = dict(kwargs.get("env") or os.environ)
            # as jupyter_client's launcher does: the kernel ends itself when this process dies
            # (killed, say) instead of living on as an orphan that nobody will shut down
            env["JPY_PARENT_PID"] = str(os.getpid())
            try:
                pid = server.launch(argv, env, str(kwargs.get("cwd") or os.getcwd()))
            except (OSError, RuntimeError):
                return await super().launch_kernel(cmd, **kwargs)
            self.process = _ForkedKernel(pid)
            self.pid = self.pgid = pid
            self.cwd = kwargs.get("cwd", os.getcwd())
            return self.connection_info


    class ReadyKernelClient(AsyncKernelClient):
        """jupyter_client's asynchronous client, except for how it waits for a new kernel.

        jupyter_client's ``wait_for_ready`` sends ``kernel_info`` until the kernel replies, then
        reads IOPub until it has been silent for 0.2 s: every kernel start waits those 0.2 s
        (a tenth of a warm report). This one ends as soon as IOPub carries the kernel's ``idle``
        status for its own ``kernel_info`` request: the kernel has answered, IOPub is connected
        (a message published before the subscription took effect would be missing) and every
        message the kernel sent before it has been read. Without that status within 0.2 s the
        request is sent again, as jupyter_client does when IOPub is not yet connected (a status
        published before the subscription reached the kernel is lost)."""

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            from queue import Empty

            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                msg_id = self.kernel_info()
                if await self._idle_after(msg_id, min(0.2, max(0.0, deadline - time.monotonic()))):
                    # the reply on the shell channel (the kernel sent it before its idle status)
                    try:
                        while True:
                            msg = await self.shell_channel.get_msg(timeout=1)
                            if msg["parent_header"].get("msg_id") == msg_id:
                                self._handle_kernel_info_reply(msg)
                                return
                    except Empty:
                        pass
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

        async def _idle_after(self, msg_id: str, wait: float) -> bool:
            """Read IOPub until the ``idle`` status of request ``msg_id`` (True), or ``wait`` s pass."""
            from queue import Empty

            end = time.monotonic() + wait
            while (left := end - time.monotonic()) > 0:
                try:
                    msg = await self.iopub_channel.get_msg(timeout=left)
                except Empty:
                    return False
                if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                        and msg["parent_header"].get("msg_id") == msg_id):
                    return True
            return False

        wait_for_ready = _async_wait_for_ready  # (the base class binds its own function to the name)

        def _create_connected_socket(self, channel, identity=None):
            # A forked kernel binds its ports ~50 ms after it is forked, and the client connects at
            # once: zmq then tries again only after its reconnect interval, 100 ms by default —
            # every warm start waited 0.1–0.2 s for it (two in three of the ready time). The
            # sockets of this client retry every few milliseconds instead (local ports only).
            import zmq

            self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)  # the default of new sockets
            return super()._create_connected_socket(channel, identity)


    class ForkKernelManager(AsyncKernelManager):
        """The kernel manager papermill uses in batch workers: a fresh kernel per notebook, forked warm."""

        @default("client_factory")
        def _ready_client(self):
            return ReadyKernelClient

        async def _async_finish_shutdown(self, waittime=None, pollinterval: float = 0.1, restart: bool = False):
            # jupyter_client looks every 0.1 s whether the kernel has ended: on average 50 ms
            # lost per report; a forked kernel ends within milliseconds of its shutdown reply
            await super()._async_finish_shutdown(waittime=waittime, pollinterval=min(pollinterval, 0.005),
                                                 restart=restart)

        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None and enabled():
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    classes = {"ForkProvisioner": ForkProvisioner, "ReadyKernelClient": ReadyKernelClient,
               "ForkKernelManager": ForkKernelManager}
    for name, cls in classes.items():  # named as module attributes (reprs, pickling)
        cls.__qualname__ = name
    return classes


ENGINE = "evalkit"


def register_engine() -> str:
    """Register :class:`FinalSaveEngine` with papermill (once) and return its name."""
    from papermill.engines import papermill_engines

    if ENGINE not in papermill_engines._engines:
        papermill_engines.register(ENGINE, __getattr__("FinalSaveEngine"))
    return ENGINE


def _final_save_engine():
    from papermill.engines import NBClientEngine, NotebookExecutionManager

    class FinalSaveManager(NotebookExecutionManager):
        """Writes the output notebook once, when execution ends (completed or failed).

        papermill's own manager rewrites (and validates) the whole notebook before and after
        every cell, which for a report's 25 cells with embedded figures is about a second of
        the parent's CPU per report; nobody reads the partial notebook here (it is written
        into a staging folder that is published only when complete), so once is enough."""

        _final = False

        def save(self, **kwargs):
            if self._final:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self._final = True
            super().notebook_complete(**kwargs)

    class FinalSaveEngine(NBClientEngine):
        """papermill's nbclient engine with :class:`FinalSaveManager`."""

        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = FinalSaveManager(nb, output_path=output_path, progress_bar=progress_bar,
                                      log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    return FinalSaveEngine


_JUPYTER_CLASSES = ("ForkProvisioner", "ReadyKernelClient", "ForkKernelManager")


def __getattr__(name):
    if name == "FinalSaveEngine":  # built on first use: papermill is imported only then
        if "FinalSaveEngine" not in globals():
            globals()["FinalSaveEngine"] = _final_save_engine()
        return globals()["FinalSaveEngine"]
    if name in _JUPYTER_CLASSES:  # built on first use: jupyter_client is imported only then
        with _BUILD_LOCK:
            if name not in globals():
                globals().update(_jupyter_classes())
        return globals()[name]
    raise AttributeError(name)


_BUILD_LOCK = threading.Lock()


def _become_subreaper() -> bool:
    """Mark this process a child subreaper (Linux); True when it is one."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        flag = ctypes.c_int(0)
        libc.prctl(37, ctypes.byref(flag), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
        return flag.value == 1
    except (OSError, AttributeError):
        return False


def _serve() -> None:
    """The fork server: import once, then fork one kernel per request line."""
    import importlib

    for mod in PRELOAD:
        try:
            importlib.import_module(mod)
        except ImportError:
            pass
    try:
        _warm_up()
    except Exception:  # noqa: BLE001 - warming is an optimisation; a kernel works without it
        pass
    # Everything alive now (the modules, the warmed caches) lives as long as the server: out of
    # the collector's sight, so that no kernel's full collection walks (and, by touching each
    # object's header, copies) the ~210,000 objects it inherits — one such collection cost a
    # report 0.11 s before its copy-on-write faults (Python's gc.freeze, for pre-fork servers)
    gc.collect()
    gc.freeze()
    # a kernel lives for one report, which keeps making container objects (matplotlib artists,
    # pandas frames): a young-generation pass every 700 net allocations (CPython's default) ran
    # 50–90 passes a report; every 10,000, a handful (0.02–0.05 s less a report, same peak memory)
    gc.set_threshold(*KERNEL_GC_THRESHOLD)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        r, w = os.pipe()
        mid = os.fork()
        if mid == 0:  # intermediate: fork the kernel and leave, so that it is re-parented
            os.close(r)
            kid = os.fork()
            if kid == 0:
                os.close(w)
                _become_kernel(req)
            os.write(w, str(kid).encode())
            os._exit(0)
        os.close(w)
        os.waitpid(mid, 0)
        kid = int(os.read(r, 32) or b"0")
        os.close(r)
        out.write(f"{kid}\n")
        out.flush()


def _warm_up() -> None:
    """First-call costs every report pays, paid once here and inherited by each fork: the
    configuration files (translations, bands, label sets), evalkit's git commit, the machine's
    network addresses (jupyter_client), SciPy's distributions and optimizer, and matplotlib's
    font cache and renderers (PNG and SVG)."""
    import io

    import matplotlib
    import numpy as np
    import pandas as pd

    matplotlib.use("Agg")  # the kernel switches to its inline backend when it starts
    import matplotlib.pyplot as plt

    from .. import bands, i18n
    from ..evaluation import git_commit
    from ..ingest.spec import builtin_instruments, builtin_label_sets
    from ..stats.prepost import prepost
    from ..stats.reliability import reliability

    i18n.t("level.1", "id")
    git_commit()  # the commit every report records, asked of git once for all the kernels
    try:  # the machine's addresses, which every kernel's connection info asks for (psutil: ~14 ms)
        from jupyter_client import localinterfaces

        localinterfaces.local_ips()
    except Exception:  # noqa: BLE001 - then each kernel looks them up itself, as before
        pass
    bands.band_sets()
    builtin_label_sets()
    builtin_instruments()
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, size=(40, 4)).astype(float)
    reliability(pd.DataFrame(x, columns=list("abcd")), scale=(1, 5))
    prepost(pd.Series(rng.normal(50, 10, 20)), pd.Series(rng.normal(60, 10, 20)), max_score=100)
    from .figure_server import SAVE_RC, fonts_in_memory, share_text_metrics
    from .figures import theme

    share_text_metrics()  # installed once here: every kernel and figure helper inherits it
    fonts_in_memory()  # (and the font files' bytes, read below by the first figure)

    # drawn in the report's theme and saved as a report figure is: the font files of the theme's
    # sizes and weights (titles bold, ticks, labels, legend) found here once, not in each kernel
    with theme(), matplotlib.rc_context(SAVE_RC):
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.barh([0, 1], [1, 2], label="b")
        ax.set_title("Wärme ⟨g⟩ — 0,5 %")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(title="t", loc="lower right")
        for fmt in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=fmt, dpi=300)
        plt.close(fig)
    # the writers: templates compiled, the Markdown parser and the sanitiser built
    from ..report.blocks import Column, Table
    from .writers import html as html_writer

    html_writer.environment().get_template("document.html")
    html_writer.md_html("**x** [y](https://example.org)")
    html_writer.render_block(Table(1, "T 1", "t", [Column("a"), Column("b", "number")], [["x", 1.0]]), "id")


def _wait_until_reparented(intermediate: int, timeout: float = 5.0) -> None:
    """Wait until the intermediate process of the double fork has exited (this process's
    parent is then the worker that asked for the kernel). ipykernel's parent poller compares the
    parent it finds when it starts with the one it was given, and watches only for init when
    they differ: started while the intermediate is still alive (a loaded machine), it would
    never see the worker die and the kernel would outlive a killed batch."""
    deadline = time.monotonic() + timeout
    while os.getppid() == intermediate and time.monotonic() < deadline:
        time.sleep(0.0005)


def _become_kernel(req: dict) -> None:
    helper = None
    intermediate = os.getppid()  # the double fork's middle process, about to exit
    try:
        os.setsid()
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        fd = os.open(os.devnull, os.O_RDWR)
        for std in (0, 1, 2):
            os.dup2(fd, std)
        sys.argv = ["ipykernel_launcher", *req["argv"]]
        from .figure_server import SWITCH, start_helper

        # forked now, while this process is still a single-threaded copy of the warm server
        helper = start_helper() if os.environ.get(SWITCH, "1") != "0" else None
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        # the trait's default was read from the environment when the fork server imported
        # ipykernel, before this kernel's environment was set: set it from that environment
        parent = int(os.environ.get("JPY_PARENT_PID") or 0)
        if parent > 1:
            app.parent_handle = parent
            _wait_until_reparented(intermediate)
        app.initialize(req["argv"])
        app.start()
    finally:
        try:
            if helper is not None:
                from .figure_server import stop_helper

                stop_helper()
                helper = _ForkedKernel(helper)  # its child: reaped here
                try:
                    helper.wait(timeout=2)  # a figure in progress may finish, then it is stopped
                except subprocess.TimeoutExpired:
                    try:
                        helper.kill()
                    except OSError:
                        pass
                    helper.wait()
        finally:
            os._exit(0)


if __name__ == "__main__":
    _serve()
