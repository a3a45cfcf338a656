"""Raw HTTP/1.1 over a loopback socket, for tests of the endpoint's framing: send exactly
the bytes given, read back whole responses (or see the connection close)."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

from pytest_ecr.credentials import FAKE_ACCESS_KEY

TARGET = "AmazonEC2ContainerRegistry_V20150921."
AUTHORIZATION = (
    f"AWS4-HMAC-SHA256 Credential={FAKE_ACCESS_KEY}/20260101/us-east-1/ecr/aws4_request, "
    "SignedHeaders=host, Signature=00"
)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def connect(endpoint_url: str, timeout: float = 10.0) -> socket.socket:
    host, port = endpoint_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def api_request(operation: str, body: bytes, *, extra: str = "", length: bool = True) -> bytes:
    """A POST of the ECR API with *body*; *extra* header lines are added as given."""
    lines = [
        "POST / HTTP/1.1",
        "Host: 127.0.0.1",
        f"X-Amz-Target: {TARGET}{operation}",
        f"Authorization: {AUTHORIZATION}",
        "Content-Type: application/x-amz-json-1.1",
    ]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    head = "\r\n".join(lines) + "\r\n" + extra + "\r\n"
    return head.encode("latin-1") + body


class Reader:
    """Whole responses from a socket, one after another."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _more(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def answer(self) -> Answer | None:
        """The next response, or ``None`` if the server closed the connection first."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._more():
                return None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._more():
                break
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Answer(int(status_line.split()[1]), headers, body)

    def closed(self) -> bool:
        """Whether the server closes the connection with nothing more to read."""
        try:
            return not self.buffer and not self._more()
        except ConnectionResetError:
            return True
