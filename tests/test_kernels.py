"""Warm forked kernels for batch rendering: a fresh kernel per notebook, and the same report."""
from __future__ import annotations

import json
import os
import sys

import pytest

from conftest import MINI
from evalkit.report import kernels
from evalkit.report.render import render_report

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork server is Linux-only")]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_each_notebook_gets_its_own_forked_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_FORK_KERNELS", "1")
    out_fork, out_plain = tmp_path / "fork", tmp_path / "plain"
    render_report(MINI, out_fork, kernel_manager_class=kernels.ForkKernelManager)
    server = kernels.ForkServer.get()
    assert server is not None and len(server.launched) >= 1
    first = server.launched[-1]
    render_report(MINI, out_fork / "again", kernel_manager_class=kernels.ForkKernelManager)
    second = server.launched[-1]
    assert second != first  # a new process for the second notebook
    assert not _alive(first) and not _alive(second)  # and each was ended with its notebook
    monkeypatch.setenv("EVALKIT_FORK_KERNELS", "0")
    render_report(MINI, out_plain)  # the ordinary spawned kernel
    a = json.loads((out_fork / MINI.name / "metrics.json").read_text())
    b = json.loads((out_plain / MINI.name / "metrics.json").read_text())
    for k in ("level1", "level2"):
        assert a[k] == b[k]
    html_fork = (out_fork / MINI.name / "report.html").read_text(encoding="utf-8")
    html_plain = (out_plain / MINI.name / "report.html").read_text(encoding="utf-8")
    assert html_fork.count("<img") == html_plain.count("<img") > 0  # the same figures, none doubled
    assert sorted(p.name for p in (out_fork / MINI.name / "figures").iterdir()) == \
        sorted(p.name for p in (out_plain / MINI.name / "figures").iterdir())


def test_switch_off_and_fallback(monkeypatch):
    monkeypatch.setenv("EVALKIT_FORK_KERNELS", "0")
    assert not kernels.enabled()
    monkeypatch.setenv("EVALKIT_FORK_KERNELS", "1")
    assert kernels.enabled() == sys.platform.startswith("linux")
    h = kernels._ForkedKernel(os.getpid())  # our own pid is not our child: polled through the OS
    assert h.poll() is None


def test_ready_client_leaves_no_startup_message_behind():
    """ReadyKernelClient returns once the kernel has answered kernel_info and IOPub carried the
    idle status of that request: the kernel's info is read, and the first IOPub message after
    that is the busy status of the next request (nothing of the start-up is left to be read)."""
    import asyncio

    async def main():
        km = kernels.ForkKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        kc = km.client()
        assert isinstance(kc, kernels.ReadyKernelClient)
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            msg_id = kc.execute("print(6 * 7)")
            first = await kc.get_iopub_msg(timeout=10)
            assert first["parent_header"]["msg_id"] == msg_id
            assert first["msg_type"] == "status" and first["content"]["execution_state"] == "busy"
            texts = []
            while True:
                m = await kc.get_iopub_msg(timeout=10)
                if m["msg_type"] == "stream":
                    texts.append(m["content"]["text"])
                if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                    break
            assert "".join(texts).strip() == "42"
            reply = await kc.get_shell_msg(timeout=10)
            assert reply["msg_type"] == "execute_reply" and reply["parent_header"]["msg_id"] == msg_id
        finally:
            kc.stop_channels()
            await km.shutdown_kernel()
        assert not await km.is_alive()

    asyncio.run(main())


def test_a_command_that_ends_early_takes_its_fork_server_with_it(tmp_path):
    """`evalkit report` starts the fork server before it validates; when the command ends
    first (a bad folder), the server must not go on importing the scientific stack alone."""
    import subprocess

    code = ("import sys\n"
            "from evalkit.report import kernels\n"
            "from evalkit.cli import exit_now\n"
            "kernels.ForkServer.prestart()\n"
            "print(kernels.ForkServer._instance.proc.pid, flush=True)\n"
            "exit_now(3)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 3, r.stderr
    pid = int(r.stdout.split()[0])
    assert not _alive(pid)  # ended (and reaped) before the command returned, not ~2.5 s later
    r = subprocess.run([sys.executable, "-m", "evalkit.cli", "report", str(tmp_path / "missing"), "--out",
                        str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "Traceback" not in r.stderr


def test_a_forked_kernel_ends_when_the_process_that_asked_for_it_is_killed(tmp_path):
    """A batch killed mid-report (SIGKILL, a closed laptop) must not leave its kernels running
    forever: each forked kernel watches the process that asked for it, as jupyter_client's
    own kernels do (JPY_PARENT_PID)."""
    import signal
    import subprocess
    import time

    code = ("import asyncio, sys, time\n"
            "from evalkit.report import kernels\n"
            "async def main():\n"
            "    km = kernels.ForkKernelManager(kernel_name='python3')\n"
            "    await km.start_kernel()\n"
            "    print(km.provisioner.pid, flush=True)\n"
            "    time.sleep(120)\n"
            "asyncio.run(main())\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        kernel = int(proc.stdout.readline())
        assert _alive(kernel)
        time.sleep(1.5)  # the kernel is up and watching
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.time() + 15
    while time.time() < deadline and _alive(kernel):
        time.sleep(0.1)
    assert not _alive(kernel)


def test_a_forked_kernel_waits_for_the_double_forks_middle_process_to_exit():
    """ipykernel's parent poller takes the parent it finds when it starts as the one to watch
    (else only init): a kernel must not start it while the double fork's middle process is
    still its parent, which on a loaded machine it can be for a while."""
    import time

    r, w = os.pipe()
    mid = os.fork()
    if mid == 0:  # the middle process: fork, then stay a little before leaving
        try:
            kid = os.fork()
            if kid == 0:
                start = time.monotonic()
                kernels._wait_until_reparented(os.getppid())
                os.write(w, f"{time.monotonic() - start:.3f} {os.getppid()} {os.getpid()}".encode())
                os._exit(0)
            time.sleep(0.4)
        finally:
            os._exit(0)
    os.close(w)
    waited, parent, kid = os.read(r, 100).decode().split()
    os.close(r)
    os.waitpid(mid, 0)
    try:
        os.waitpid(int(kid), 0)  # re-parented here if this process is a subreaper
    except ChildProcessError:
        pass
    assert float(waited) >= 0.35 and int(parent) != mid


def test_report_client_retries_a_kernels_ports_within_milliseconds():
    """A forked kernel binds its ports after the client connects: the client's sockets must try
    again every RECONNECT_MS, not after zmq's default 100 ms (0.1-0.2 s lost per report)."""
    import zmq

    client = kernels.ReadyKernelClient()
    client.ip, client.shell_port, client.iopub_port = "127.0.0.1", 1, 2
    try:
        for channel in ("shell", "iopub"):
            sock = client._create_connected_socket(channel)
            try:
                assert sock.getsockopt(zmq.RECONNECT_IVL) == kernels.RECONNECT_MS < 100
            finally:
                sock.close(linger=0)
    finally:
        client.context.term()


def _printed_by_a_forked_kernel(code: str) -> str:
    """What ``code`` prints in a kernel forked from this process's fork server."""
    import asyncio

    async def main():
        km = kernels.ForkKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            msg_id = kc.execute(code)
            texts = []
            while True:
                m = await kc.get_iopub_msg(timeout=30)
                if m["parent_header"].get("msg_id") != msg_id:
                    continue
                if m["msg_type"] == "stream":
                    texts.append(m["content"]["text"])
                if m["msg_type"] == "error":
                    raise AssertionError("\n".join(m["content"]["traceback"]))
                if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                    break
            return "".join(texts)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel()

    if not kernels.enabled():
        pytest.skip("fork kernels switched off")
    return asyncio.run(main())


def test_a_forked_kernel_inherits_the_servers_objects_frozen():
    """The fork server freezes what it imported and warmed (gc.freeze) before it forks: a
    kernel's full collections then leave the ~200,000 inherited objects alone (0.1 s a report,
    and the copy-on-write faults of touching them); and its kernels collect less often."""
    out = _printed_by_a_forked_kernel("import gc; print(gc.get_freeze_count(), *gc.get_threshold())")
    frozen, *threshold = [int(x) for x in out.split()]
    assert frozen > 50_000
    assert tuple(threshold) == kernels.KERNEL_GC_THRESHOLD  # and it collects less often


def test_a_forked_kernels_thread_pools_and_malloc(monkeypatch):
    """In a kernel forked from a server started on a machine that sets none of them
    (``server_env``): NumPy's and SciPy's OpenBLAS (and any MKL or OpenMP) have one thread —
    their pools were sized when the fork server loaded them; and glibc's malloc keeps a freed
    block for the next one (MALLOC_ENV): a second 300-dpi canvas (RendererAgg, 24 MB) is drawn
    on the pages of the first instead of faulting in ~5,900 new ones."""
    for name in (*kernels.SINGLE_THREAD_ENV, *kernels.MALLOC_ENV):
        monkeypatch.delenv(name, raising=False)
    kernels.ForkServer._instance and kernels.ForkServer._instance.stop()
    monkeypatch.setattr(kernels.ForkServer, "_instance", None)
    out = _printed_by_a_forked_kernel(
        "import json, resource, numpy, scipy.linalg, threadpoolctl\n"
        "from matplotlib.backends.backend_agg import RendererAgg\n"
        "print(json.dumps([(p['internal_api'], p['num_threads']) for p in threadpoolctl.threadpool_info()]))\n"
        "def faults():\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "r = RendererAgg(3000, 2000, 300); del r\n"
        "f0 = faults(); r = RendererAgg(3000, 2000, 300); f1 = faults()\n"
        "print(f1 - f0)")
    kernels.ForkServer._instance.stop()
    pools_line, faults_line = out.strip().splitlines()
    pools = json.loads(pools_line)
    assert any(api in ("openblas", "mkl") for api, _ in pools)
    assert all(n == 1 for _, n in pools), pools
    assert int(faults_line) < 1000  # 24 MB is ~5,900 pages


def test_server_env_keeps_a_users_thread_settings():
    env = kernels.server_env({"PATH": "/bin", "OPENBLAS_NUM_THREADS": "4"})
    assert env["OPENBLAS_NUM_THREADS"] == "4"  # the user's, kept
    assert env["MKL_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    assert env["PATH"] == "/bin" and env["MPLBACKEND"] == "module://matplotlib_inline.backend_inline"


def test_server_env_keeps_a_users_malloc_settings():
    assert kernels.server_env({})["MALLOC_MMAP_THRESHOLD_"] == str(256 << 20)
    env = kernels.server_env({"MALLOC_TRIM_THRESHOLD_": "0"})
    assert env["MALLOC_TRIM_THRESHOLD_"] == "0" and "MALLOC_MMAP_THRESHOLD_" not in env  # the user's own tuning
