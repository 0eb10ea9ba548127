"""HMAC-SHA256 of many short messages, in this process or split with a second one.

This module imports nothing beyond the standard library, so that it can also run as a script
(``python -I -S _hmac.py``) that reads its share of the messages from standard input and
writes their digests to standard output: the second process of :class:`Digests`, started in a
few hundredths of a second with neither ``site`` nor any package loaded. Hashing a short
message is one C call too small for ``hashlib`` to release the interpreter lock, so threads
would take turns; a second process hashes at the same time.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import struct
import subprocess
import sys
import threading
from array import array

#: below this many messages a second process costs more than it saves (its start and the
#: pipes: about 0.03 s, the time of ~50,000 HMACs here)
PARALLEL_MIN = 200_000
#: the share of the messages the second process hashes: a little under half, since it
#: starts later
CHILD_SHARE = 0.48
#: the share a second process started ahead of time hashes (:func:`evalkit.ingest.pseudonymize.
#: prefetch_pseudonyms`): this process validates and scores the file meanwhile, then hashes the rest
PREFETCH_SHARE = 0.62
#: seconds the second process may take beyond 10 µs a message before it is killed and its
#: share hashed here (it needs about 1 µs a message)
CHILD_TIMEOUT = 30.0


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


def _serve(data: bytes) -> bytes:
    """The second process's work: :func:`_digests` of the messages in a :func:`_request`."""
    klen, n, width = struct.unpack_from("<III", data, 0)
    pos = 12
    key = data[pos:pos + klen]
    pos += klen
    if width:
        return _digests(key, [data[p:p + width] for p in range(pos, pos + n * width, width)])
    lengths = array("I")
    lengths.frombytes(data[pos:pos + 4 * n])
    if sys.byteorder != "little":  # pragma: no cover
        lengths.byteswap()
    pos += 4 * n
    messages = []
    for length in lengths:
        messages.append(data[pos:pos + length])
        pos += length
    return _digests(key, messages)


class Digests:
    """HMAC-SHA256(``key``, m) of each message, the first ``share`` of them hashed by a second
    Python process (this file run as a script, standard library only) from the moment the job
    is made; :meth:`result` hashes the rest in this process and returns all the digests,
    concatenated (32 bytes each) in the order of ``messages``. ``messages``: a list of bytes, or
    a NumPy array of fixed-width bytes (``S18``), whose buffer goes to the second process as it
    is; the key and messages reach it through a pipe, never its command line or environment.

    Started ahead of time (ingest starts the HMACs of a large id column as soon as the file is
    read, with ``share=PREFETCH_SHARE``, and takes them when it pseudonymizes), the second
    process hashes while this one validates and scores the file. Should the second process
    fail to start, die, answer short or take longer than :data:`CHILD_TIMEOUT` after
    :meth:`result` is called (it is then killed), its share is hashed here: the result is the
    same either way.
    """

    def __init__(self, key: bytes, messages, share: float = CHILD_SHARE):
        self.key, self.messages = key, messages
        self.fixed = hasattr(messages, "dtype")
        self.cut = min(len(messages), int(round(len(messages) * share))) if share > 0 else 0
        self.child = self.writer = None
        self._done: bytes | None = None
        if not self.cut:
            return
        try:
            self.child = subprocess.Popen([sys.executable, "-I", "-S", os.path.abspath(__file__)],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            self.child = None
            return
        request = _request(key, messages[:self.cut])

        def send():
            try:
                self.child.stdin.write(request)
                self.child.stdin.close()
            except OSError:  # the child died: its answer is short, and its share is hashed here
                pass

        # one large write on its own thread (it waits without the interpreter lock)
        self.writer = threading.Thread(target=send, daemon=True)
        self.writer.start()

    def close(self) -> None:
        """Stop a second process whose answer will not be asked for (the job is dropped)."""
        child, self.child = self.child, None
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        if child is not None:
            for f in (child.stdin, child.stdout):
                try:
                    f.close()
                except (OSError, ValueError):
                    pass

    def __del__(self):
        if self._done is None and getattr(self, "child", None) is not None:
            self.close()

    def _hash(self, part) -> bytes:
        return _digests(self.key, part.tolist() if self.fixed else part)

    def result(self) -> bytes:
        """Every message's digest; waits for the second process (see the class)."""
        if self._done is not None:
            return self._done
        if self.child is None:
            self._done = self._hash(self.messages)
            return self._done
        ours = self._hash(self.messages[self.cut:])
        timer = threading.Timer(CHILD_TIMEOUT + self.cut * 1e-5, self.child.kill)  # a child that hangs
        timer.start()
        try:
            theirs = self.child.stdout.read()  # until the child exits (or is killed)
        finally:
            timer.cancel()
            self.writer.join()
            self.child.stdout.close()
        if self.child.wait() != 0 or len(theirs) != 32 * self.cut:
            theirs = self._hash(self.messages[:self.cut])
        self._done = theirs + ours
        self.messages = None  # the job keeps only its answer
        return self._done


def hmac_digests(key: bytes, messages, *, parallel: bool | None = None) -> bytes:
    """HMAC-SHA256(``key``, m) of each message, concatenated (32 bytes each): the same bytes
    as ``b"".join(hmac.digest(key, m, "sha256") for m in messages)``. ``messages``: a list of
    bytes, or a NumPy array of fixed-width bytes (``S18``).

    With :data:`PARALLEL_MIN` messages or more on a machine with two cores or more (or
    ``parallel=True``), a second process hashes the first :data:`CHILD_SHARE` of them while
    this one hashes the rest (:class:`Digests`).

    Examples
    --------
    >>> import hmac
    >>> msgs = [b"197803152005011002", b"x"]
    >>> hmac_digests(b"k", msgs, parallel=True) == b"".join(hmac.digest(b"k", m, "sha256") for m in msgs)
    True
    """
    if parallel is None:
        parallel = worth_a_process(len(messages))
    return Digests(key, messages, CHILD_SHARE if parallel and len(messages) > 1 else 0).result()


def worth_a_process(n: int) -> bool:
    """Whether ``n`` HMACs are worth a second process on this machine (see :data:`PARALLEL_MIN`)."""
    return n >= PARALLEL_MIN and (os.cpu_count() or 1) > 1


if __name__ == "__main__":  # the second process of Digests
    sys.stdout.buffer.write(_serve(sys.stdin.buffer.read()))
    sys.stdout.buffer.flush()
