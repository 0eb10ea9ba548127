"""HMAC-SHA256 of many short messages, in this process or shared with a second one.

This module imports nothing beyond the standard library, so that it can also run as a script
(``python -I -S _hmac.py``) that reads messages from standard input and writes their digests
to standard output as it goes: the second process of :class:`Digests`, started in a few
hundredths of a second with neither ``site`` nor any package loaded. Hashing a short message
is one C call too small for ``hashlib`` to release the interpreter lock, so threads would take
turns; a second process hashes at the same time.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct
import subprocess
import sys
import threading
from array import array

#: below this many messages a second process costs more than it saves (its start and the
#: pipes: about 0.03 s, the time of ~50,000 HMACs here)
PARALLEL_MIN = 200_000
#: messages the second process hashes between two writes of their digests, and this process
#: between two looks at how far the second one has come (≈ 3 ms of hashing)
CHUNK = 4096
#: the size asked for the pipe that brings the digests back (Linux ``F_SETPIPE_SZ``; the
#: default of 64 KB would hold the second process back whenever this one is slow to read)
PIPE_BYTES = 1 << 20


def hmac_sha256_many(key: bytes, messages) -> list[bytes]:
    """HMAC-SHA256 of each message: the same bytes as ``hmac.digest(key, m, "sha256")``.

    HMAC (RFC 2104) is ``H((K ^ opad) || H((K ^ ipad) || m))``, ``K`` the key padded to the
    64-byte block (hashed first when longer). The two padded-key blocks do not depend on the
    message, so they are hashed once and each message costs a copy of each state: about half
    the time of OpenSSL's one-shot ``hmac.digest``, which sets the key up again every call.

    Examples
    --------
    >>> import hmac
    >>> hmac_sha256_many(b"k", [b"x"]) == [hmac.digest(b"k", b"x", "sha256")]
    True
    """
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(key.translate(hmac.trans_36))
    outer = hashlib.sha256(key.translate(hmac.trans_5C))
    icopy, ocopy = inner.copy, outer.copy
    out = []
    append = out.append
    for m in messages:
        i = icopy()
        i.update(m)
        o = ocopy()
        o.update(i.digest())
        append(o.digest())
    return out


def _digests(key: bytes, messages) -> bytes:
    """Each message's HMAC-SHA256 (32 bytes), one after the other."""
    return b"".join(hmac_sha256_many(key, messages))


def _request(key: bytes, messages) -> bytes:
    """What the second process reads: key length, message count, message width (0: each
    message's length follows as uint32), the key, the lengths, then the messages. ``messages``:
    a list of bytes, or a NumPy array of fixed-width bytes (``S18``: plain NIPs), whose buffer
    is sent as it is."""
    if hasattr(messages, "dtype"):
        return b"".join([struct.pack("<III", len(key), len(messages), messages.dtype.itemsize), key,
                         messages.tobytes()])
    lengths = array("I", map(len, messages))
    if lengths.itemsize != 4:  # pragma: no cover - every platform evalkit runs on has a 4-byte I
        raise OSError("no 4-byte unsigned int")
    if sys.byteorder != "little":  # pragma: no cover
        lengths.byteswap()
    return b"".join([struct.pack("<III", len(key), len(messages), 0), key, lengths.tobytes(), *messages])


def _serve(data: bytes):
    """The second process's work: the digests (:func:`_digests`) of the messages in a
    :func:`_request`, :data:`CHUNK` messages at a time, in their order."""
    klen, n, width = struct.unpack_from("<III", data, 0)
    pos = 12
    key = data[pos:pos + klen]
    pos += klen
    if width:
        for first in range(0, n, CHUNK):
            stop = pos + min(n, first + CHUNK) * width
            yield _digests(key, [data[p:p + width] for p in range(pos + first * width, stop, width)])
        return
    lengths = array("I")
    lengths.frombytes(data[pos:pos + 4 * n])
    if sys.byteorder != "little":  # pragma: no cover
        lengths.byteswap()
    pos += 4 * n
    messages = []
    for length in lengths:
        messages.append(data[pos:pos + length])
        pos += length
        if len(messages) == CHUNK:
            yield _digests(key, messages)
            messages = []
    if messages:
        yield _digests(key, messages)


class Digests:
    """HMAC-SHA256(``key``, m) of each message, hashed from both ends: a second Python process
    (this file run as a script, standard library only) hashes from the first message on, from
    the moment the job is made, and sends their digests back as it goes; :meth:`result` hashes
    from the last message backwards, :data:`CHUNK` messages at a time, until it reaches what
    the second process has sent, then stops that process and returns all the digests,
    concatenated (32 bytes each) in the order of ``messages``. ``messages``: a list of bytes,
    or a NumPy array of fixed-width bytes (``S18``), whose buffer goes to the second process as
    it is; the key and messages reach it through a pipe, never its command line or environment.

    Neither process waits for the other: started ahead of time (ingest starts the HMACs of a
    large id column as soon as the file is read, and takes them when it pseudonymizes), the
    second process has hashed most of the column by then, and whatever is left is shared at
    once; asked at once (:func:`hmac_digests`), the two meet near the middle. Should the second
    process fail to start, die, hang or answer short, this one hashes what it did not send:
    the result is the same either way. ``share``: the first part of the messages sent to the
    second process (all of them by default).
    """

    def __init__(self, key: bytes, messages, share: float = 1.0):
        self.key, self.messages = key, messages
        self.fixed = hasattr(messages, "dtype")
        self.cut = min(len(messages), int(round(len(messages) * share))) if share > 0 else 0
        self.child = self.writer = self.reader = None
        self._done: bytearray | None = None
        # every digest, in one buffer that the second process's answer is read straight into,
        # and how many bytes of it have arrived (the reader thread's; it holds these two and not
        # the job, so that a dropped job is collected and its process stopped)
        self._out = bytearray(32 * len(messages)) if self.cut else None
        self._received = [0]
        if not self.cut:
            return
        try:
            self.child = subprocess.Popen([sys.executable, "-I", "-S", os.path.abspath(__file__)],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            self.child = None
            return
        child = self.child
        try:
            import fcntl

            fcntl.fcntl(child.stdout.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
        except (ImportError, OSError):  # another system, or a lower limit: the default pipe serves
            pass
        request = _request(key, messages[:self.cut])

        def send():
            try:
                child.stdin.write(request)
                child.stdin.close()
            except OSError:  # the child died: it sends nothing more, and this process hashes the rest
                pass

        view, received, limit = memoryview(self._out), self._received, 32 * self.cut

        def receive():
            pipe = io.FileIO(child.stdout.fileno(), closefd=False)
            try:
                while received[0] < limit and (n := pipe.readinto(view[received[0]:limit])):
                    received[0] += n
            except OSError:
                pass
            finally:
                view.release()

        # one large write, and the reads of the answer, each on its own thread (both wait
        # without the interpreter lock)
        self.writer = threading.Thread(target=send, daemon=True)
        self.reader = threading.Thread(target=receive, daemon=True)
        self.writer.start()
        self.reader.start()

    def close(self) -> None:
        """Stop the second process (its answer is complete, or no longer wanted) and let its
        pipes and threads go."""
        child, self.child = self.child, None
        if child is None:
            return
        if child.poll() is None:
            child.kill()
        child.wait()
        for thread in (self.writer, self.reader):
            if thread is not None:  # (none when the request could not be made)
                thread.join()
        for f in (child.stdin, child.stdout):
            try:
                f.close()
            except (OSError, ValueError):
                pass

    def __del__(self):
        if getattr(self, "child", None) is not None:
            self.close()

    def _hash(self, part) -> bytes:
        return _digests(self.key, part.tolist() if self.fixed else part)

    def result(self) -> bytearray:
        """Every message's digest, one after the other (see the class)."""
        if self._done is not None:
            return self._done
        if self.child is None:  # no second process (none asked for, or it did not start)
            self._done = bytearray(self._hash(self.messages))
            self.messages = self._out = None
            return self._done
        ours = []  # this process's digests: (first message, digests), from the last message backwards
        end = len(self.messages)  # this process has hashed messages[end:]
        while (theirs := min(self._received[0] // 32, self.cut)) < end:
            start = max(end - CHUNK, theirs)
            ours.append((start, self._hash(self.messages[start:end])))
            end = start
        self.close()  # the reader has stopped: what it wrote past messages[:end] is overwritten below
        out = self._out
        for start, digests in ours:
            out[32 * start:32 * start + len(digests)] = digests
        self._done = out
        self.messages = self._out = None  # the job keeps only its answer
        return self._done


def hmac_digests(key: bytes, messages, *, parallel: bool | None = None) -> bytearray:
    """HMAC-SHA256(``key``, m) of each message, concatenated (32 bytes each): the same bytes
    as ``b"".join(hmac.digest(key, m, "sha256") for m in messages)``. ``messages``: a list of
    bytes, or a NumPy array of fixed-width bytes (``S18``).

    With :data:`PARALLEL_MIN` messages or more on a machine with two cores or more (or
    ``parallel=True``), a second process hashes from the first message on while this one
    hashes from the last backwards (:class:`Digests`).

    Examples
    --------
    >>> import hmac
    >>> msgs = [b"197803152005011002", b"x"]
    >>> hmac_digests(b"k", msgs, parallel=True) == b"".join(hmac.digest(b"k", m, "sha256") for m in msgs)
    True
    """
    if parallel is None:
        parallel = worth_a_process(len(messages))
    return Digests(key, messages, 1.0 if parallel and len(messages) > 1 else 0).result()


def worth_a_process(n: int) -> bool:
    """Whether ``n`` HMACs are worth a second process on this machine (see :data:`PARALLEL_MIN`)."""
    return n >= PARALLEL_MIN and (os.cpu_count() or 1) > 1


if __name__ == "__main__":  # the second process of Digests
    for part in _serve(sys.stdin.buffer.read()):
        sys.stdout.buffer.write(part)
        sys.stdout.buffer.flush()
