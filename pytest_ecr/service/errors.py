"""ECR's API errors, as the service layer raises them."""

from __future__ import annotations

from typing import Any


class EcrError(Exception):
    """An error ECR answers with: an error code, ECR's message text and an HTTP status.

    Every transport turns it into ``{"__type": code, "message": message}`` with *status*;
    botocore then raises ``client.exceptions.<code>`` (or a plain ``ClientError`` for codes
    the ECR model does not define, such as ``ThrottlingException``).
    """

    def __init__(
        self, code: str, message: str, status: int = 400, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        """The JSON error body ECR sends."""
        return {"__type": self.code, "message": self.message, **self.extra}


def invalid_parameter(field: str, constraint: str) -> EcrError:
    """``InvalidParameterException`` in ECR's "failed to satisfy constraint" wording."""
    return EcrError(
        "InvalidParameterException",
        f"Invalid parameter at '{field}' failed to satisfy constraint: '{constraint}'",
    )


def repository_not_found(name: str, registry_id: str) -> EcrError:
    return EcrError(
        "RepositoryNotFoundException",
        f"The repository with name '{name}' does not exist in the registry with id '{registry_id}'",
    )


def server_error(message: str = "Internal server error") -> EcrError:
    return EcrError("ServerException", message, status=500)
