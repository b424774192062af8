"""Test helper: a real OpenAI-compatible model server (llama-cpp-python's `llama_cpp.server`)
on 127.0.0.1, serving a GGUF, started and stopped by the caller (tests and bench)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

STARTUP_SECONDS = 180  # loading the model on a busy 2-core machine


@dataclass
class ModelServer:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_available() -> bool:
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def serve_model(model: Path, log: Path, threads: int = 1, context: int = 4096,
                extra: tuple[str, ...] = ()) -> Iterator[ModelServer]:
    """`python -m llama_cpp.server` on a free loopback port; waits until /v1/models answers."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PYTHONPATH", None)  # no test guard in the server: it is the other machine
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(context),
             "--n_threads", str(threads), "--n_threads_batch", str(threads),
             "--model_alias", "test-model",
             # its default (true) computes the logits of every prompt token: 262k of them
             # per token for Gemma, seconds per prompt that no chat client needs
             "--logits_all", "false", *extra],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    server = ModelServer(process, port, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the model server exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{server.url}/models", timeout=2) as resp:
                    if json.load(resp).get("data"):
                        break
            except urllib.error.HTTPError:
                break  # it answers (401 with --api_key): it is up
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the model server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
