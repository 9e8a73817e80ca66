"""An embedded AWS for the demo and end-to-end tests: moto_server on a free loopback port."""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from shiftwork.engine.errors import ShiftworkError

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Start moto_server on 127.0.0.1 (never a public interface) and yield its endpoint URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise ShiftworkError("the embedded AWS needs moto: pip install 'shiftwork[demo]'") from None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log on the user's terminal
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextlib.contextmanager
def fake_credentials(account: str | None = None) -> Iterator[None]:
    """Dummy credentials for the emulator, restoring the environment afterwards; real ones are never read.

    `account` makes the in-process moto_server act as that account id (MOTO_ACCOUNT_ID).
    """
    saved = {k: os.environ.get(k) for k in (*FAKE_CREDENTIALS, "AWS_PROFILE", "MOTO_ACCOUNT_ID")}
    os.environ.update(FAKE_CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    if account:
        os.environ["MOTO_ACCOUNT_ID"] = account
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
