"""A model server on the person's own network (llama-server, Ollama, LM Studio, vLLM) through
its OpenAI-compatible /v1/chat/completions endpoint, streamed (SSE), stdlib only.

The privacy rule is checked here, on the addresses actually connected to: the host is
resolved, every address must be loopback, private or link-local (unless allow_remote),
and the connection goes to one of the checked addresses, so a DNS answer that changes
between the check and the connection cannot send a prompt elsewhere.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import time
from collections.abc import Iterator
from typing import Any

from assistant.config import LLMConfig
from assistant.errors import ConfigError, ModelError
from assistant.llm import AnswerRequest, chat_messages
from assistant.private_net import (
    ServerURL,
    classify,
    is_private_address,
    is_private_name,
    literal_address,
    parse_url,
    remote_refused,
)

MAX_ERROR_BODY = 300  # characters of a server's error page quoted in the one-line reason
CONNECT_SECONDS = 3.0  # a machine on the person's network accepts in milliseconds
RETRY_SECONDS = 30.0  # after a failure, a warm daemon answers locally at once for this long


class ServerUnavailable(ModelError):
    """The server did not answer in time, refused, or stopped mid-answer: fall back."""


class ServerBackend:
    """Phrases answers on an OpenAI-compatible server; the same interface as LlamaBackend."""

    backend = "server"

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.where = f"{config.origin}: " if config.origin else ""
        self.url: ServerURL = parse_url(config.url, self.where)
        self.name = config.model or "the server's model"
        self._failed: tuple[float, str] | None = None  # (monotonic time, reason)

    def describe(self) -> str:
        """Where prompts go, for status, doctor and --json."""
        model = f" (model {self.config.model})" if self.config.model else ""
        return f"model server {self.config.url}{model}"

    def where_prompts_go(self, resolve: bool = False) -> str:
        """One line for status and doctor; ``resolve`` looks a host name up (doctor)."""
        host, url = self.url.host, self.config.url
        literal = literal_address(host)
        if host.lower() == "localhost" or (literal is not None and literal.is_loopback):
            return f"prompts go to a model server on this machine ({url})"
        if literal is not None or is_private_name(host):
            private, shown = is_private_name(host) or is_private_address(literal or host), ""
        elif resolve:
            try:
                verdict = classify(host, self.url.port)
            except (OSError, UnicodeError) as exc:
                return f"prompts go to {url}; {host} cannot be resolved now ({_reason(exc)})"
            private, shown = verdict.private, f", {', '.join(verdict.addresses)}"
        else:
            return (f"prompts go to the model server at {url} (its addresses are checked to be "
                    "on your network before each question)")
        if private:
            return f"prompts go to a model server on your network ({url}{shown})"
        if self.config.allow_remote:
            return (f"prompts go to a REMOTE server ({url}{shown}): allow_remote = true, "
                    "your notes leave your network")
        return f"prompts would go to {url}{shown}, which is not on your network: refused"

    def to_json(self) -> dict[str, Any]:
        return {"backend": "server", "url": self.config.url, "model": self.config.model or None}

    # -- the request ---------------------------------------------------------------------

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        """The answer, streamed. A laptop away from home would wait for an absent server
        on every question: after a failure the server is skipped for RETRY_SECONDS."""
        if self._failed is not None and time.monotonic() - self._failed[0] < RETRY_SECONDS:
            raise ServerUnavailable(f"{self._failed[1]} (tried again after {RETRY_SECONDS:g} s)")
        try:
            yield from self.chat_stream(chat_messages(request), self.config.max_tokens)
        except ServerUnavailable as exc:
            self._failed = (time.monotonic(), str(exc))
            raise
        self._failed = None

    def chat_stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        body: dict[str, Any] = {
            "messages": messages,
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": self.config.temperature,
            "seed": 0,
        }
        if self.config.model:
            body["model"] = self.config.model
        conn = self._connection()
        try:
            try:
                conn.request("POST", f"{self.url.path}/chat/completions",
                             body=json.dumps(body).encode("utf-8"), headers=self._headers())
                response = conn.getresponse()
            except TimeoutError:
                raise ServerUnavailable(self._said(f"no answer within {self.config.timeout:g} s")) from None
            except (OSError, http.client.HTTPException) as exc:
                raise ServerUnavailable(self._said(_reason(exc))) from None
            if response.status != 200:
                text = _read_some(response)
                raise ServerUnavailable(self._said(f"HTTP {response.status} {text}".strip()))
            yield from self._read(response)
        finally:
            conn.close()

    def _read(self, response: http.client.HTTPResponse) -> Iterator[str]:
        kind = response.getheader("Content-Type", "")
        try:
            if "text/event-stream" not in kind:  # a server that ignores stream = true
                data = json.loads(response.read() or b"{}")
                text = _content(data, "message")
                if text is None:
                    raise ServerUnavailable(self._said("an answer without text"))
                if text:
                    yield text
                return
            done = False
            while True:
                line = response.readline()
                if not line:
                    break
                line = line.strip()
                if not line.startswith(b"data:"):
                    continue  # blank separators, ": keep-alive" comments, "event:" lines
                payload = line[5:].strip()
                if payload == b"[DONE]":
                    done = True
                    break
                event = json.loads(payload)
                if "error" in event:
                    raise ServerUnavailable(self._said(f"error {_error_text(event['error'])}"))
                text = _content(event, "delta")
                if text:
                    yield text
                choices = event.get("choices") or [{}]
                if choices[0].get("finish_reason"):
                    done = True  # some servers end the stream without [DONE]
            if not done:
                raise ServerUnavailable(self._said("the answer stopped half-way"))
        except TimeoutError:
            raise ServerUnavailable(self._said(f"no answer within {self.config.timeout:g} s")) from None
        except (OSError, http.client.HTTPException) as exc:
            raise ServerUnavailable(self._said(f"the answer stopped half-way ({_reason(exc)})")) from None
        except (ValueError, AttributeError, TypeError):
            raise ServerUnavailable(self._said("an answer that is not OpenAI-compatible JSON")) from None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.config.api_key_env:
            key = os.environ.get(self.config.api_key_env, "")
            if not key:
                raise ConfigError(
                    f"{self.where}key 'llm.api_key_env': the environment variable "
                    f"{self.config.api_key_env} is not set"
                )
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _said(self, reason: str) -> str:
        return f"the model server at {self.config.url} failed: {reason}"

    # -- the connection ------------------------------------------------------------------

    def checked_addresses(self) -> tuple[str, ...]:
        """The host's addresses, after the privacy rule; a ConfigError names the key."""
        try:
            verdict = classify(self.url.host, self.url.port)
        except (OSError, UnicodeError) as exc:
            raise ServerUnavailable(self._said(f"cannot resolve {self.url.host} ({_reason(exc)})")) from None
        if not verdict.addresses:
            raise ServerUnavailable(self._said(f"{self.url.host} has no address"))
        if not verdict.private and not self.config.allow_remote:
            raise ConfigError(remote_refused(self.url.host, verdict.addresses, self.where))
        return verdict.addresses

    def _connection(self) -> http.client.HTTPConnection:
        addresses = self.checked_addresses()
        timeout = self.config.timeout
        conn: http.client.HTTPConnection
        if self.url.scheme == "https":
            conn = http.client.HTTPSConnection(
                self.url.host, self.url.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            conn = http.client.HTTPConnection(self.url.host, self.url.port, timeout=timeout)

        def connect_checked(_address: Any, timeout: Any = None, source: Any = None) -> socket.socket:
            error: OSError | None = None
            wait = min(CONNECT_SECONDS, self.config.timeout)
            for address in addresses:
                try:
                    sock = socket.create_connection((address, self.url.port), wait, source)
                except TimeoutError:
                    error = OSError(f"no connection within {wait:g} s")
                except OSError as exc:
                    error = exc
                else:
                    sock.settimeout(self.config.timeout)
                    return sock
            raise error or OSError("no address")

        # http.client connects through this attribute; TLS still checks the host name.
        conn._create_connection = connect_checked  # type: ignore[attr-defined]
        return conn


def _content(event: dict[str, Any], field: str) -> str | None:
    choices = event.get("choices")
    if not choices:
        return "" if field == "delta" else None
    part = choices[0].get(field) or {}
    text = part.get("content")
    return text if isinstance(text, str) else ("" if field == "delta" else None)


def _read_some(response: http.client.HTTPResponse) -> str:
    try:
        raw = response.read(4096).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""
    try:
        body = json.loads(raw)
        message = _error_text(body.get("error") or body.get("detail") or raw)  # OpenAI, FastAPI
    except (ValueError, AttributeError):
        message = raw
    return " ".join(message.split())[:MAX_ERROR_BODY]


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())
