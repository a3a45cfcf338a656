"""Platforms of manifest lists: ``os/architecture[/variant]`` strings, checked.

The names are the ones OCI descriptors use, which are Go's ``GOOS`` and ``GOARCH``
values, plus the variants container runtimes normalise to (``arm/v7``, ``arm64/v8``,
``amd64/v3``...). The common names other tools use (``x86_64``, ``aarch64``, ``armhf``)
are refused with a suggestion, because a registry client matches platforms by these
exact strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pytest_ecr.declarations.problems import expected_hint

#: Operating systems (Go's ``GOOS`` values).
KNOWN_OS: Final = (
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
)

#: Architectures (Go's ``GOARCH`` values).
KNOWN_ARCHITECTURES: Final = (
    "386",
    "amd64",
    "arm",
    "arm64",
    "loong64",
    "mips",
    "mips64",
    "mips64le",
    "mipsle",
    "ppc64",
    "ppc64le",
    "riscv64",
    "s390x",
    "wasm",
)

#: The variants each architecture may have; an architecture not listed takes none.
KNOWN_VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "arm": ("v5", "v6", "v7", "v8"),
    "arm64": (
        "v8",
        *(f"v8.{minor}" for minor in range(10)),
        "v9",
        *(f"v9.{minor}" for minor in range(6)),
    ),
    "amd64": ("v1", "v2", "v3", "v4"),
    "riscv64": ("rva20u64", "rva22u64"),
}

#: Names other tools use for an architecture, and the ``arch[/variant]`` they mean.
ALIASES: Final[dict[str, str]] = {
    "x86_64": "amd64",
    "x86-64": "amd64",
    "x64": "amd64",
    "aarch64": "arm64",
    "armv8": "arm64",
    "armv8l": "arm64",
    "arm64v8": "arm64",
    "armhf": "arm/v7",
    "armv7": "arm/v7",
    "armv7l": "arm/v7",
    "arm32v7": "arm/v7",
    "armel": "arm/v6",
    "armv6": "arm/v6",
    "armv6l": "arm/v6",
    "arm32v6": "arm/v6",
    "armv5": "arm/v5",
    "i386": "386",
    "i686": "386",
    "x86": "386",
    "ppc64el": "ppc64le",
}


def _pattern() -> str:
    with_variants = "|".join(
        f"{arch}(/({'|'.join(v.replace('.', '[.]') for v in variants)}))?"
        for arch, variants in KNOWN_VARIANTS.items()
    )
    plain = "|".join(a for a in KNOWN_ARCHITECTURES if a not in KNOWN_VARIANTS)
    return f"^({'|'.join(KNOWN_OS)})/({plain}|{with_variants})$"


#: A regular expression matching exactly the platforms :func:`parse_platform` accepts
#: (for the JSON Schema of the format).
PLATFORM_PATTERN: Final = _pattern()

#: What a platform looks like, for hints.
PLATFORM_HINT: Final = "os/architecture[/variant], like linux/amd64, linux/arm64 or linux/arm/v7"


@dataclass(frozen=True, slots=True)
class Platform:
    """One ``platform`` of a manifest list entry."""

    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        text = f"{self.os}/{self.architecture}"
        return f"{text}/{self.variant}" if self.variant else text

    def descriptor(self) -> dict[str, str]:
        """The ``platform`` object of a list entry, in Docker's key order."""
        out = {"architecture": self.architecture, "os": self.os}
        if self.variant:
            out["variant"] = self.variant
        return out


class PlatformError(ValueError):
    """A platform string that is not ``os/arch[/variant]`` with known values."""

    def __init__(self, message: str, hint: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_platform(text: str) -> Platform:
    """Read ``os/architecture[/variant]``; :class:`PlatformError` (with a hint) if wrong."""
    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise PlatformError(f"invalid platform {text!r}", PLATFORM_HINT)
    os_name, arch = parts[0], parts[1]
    variant = parts[2] if len(parts) == 3 else None
    if os_name not in KNOWN_OS:
        raise PlatformError(
            f"unknown operating system {os_name!r} in platform {text!r}",
            expected_hint(os_name, KNOWN_OS),
        )
    if arch not in KNOWN_ARCHITECTURES:
        alias = ALIASES.get(arch.lower())
        if alias is not None:
            meant = f"{os_name}/{alias}"
            if variant is not None and "/" not in alias:
                meant += f"/{variant}"
            hint = f"platforms use Go's architecture names; did you mean {meant!r}?"
        else:
            hint = expected_hint(arch, KNOWN_ARCHITECTURES)
        raise PlatformError(f"unknown architecture {arch!r} in platform {text!r}", hint)
    if variant is not None:
        allowed = KNOWN_VARIANTS.get(arch, ())
        if not allowed:
            raise PlatformError(
                f"architecture {arch!r} takes no variant, found {variant!r} in platform {text!r}",
                f"write {os_name}/{arch}",
            )
        if variant not in allowed:
            if arch == "arm64" and variant in KNOWN_VARIANTS["arm"][:3]:
                hint = f"arm64 is v8 or later; did you mean '{os_name}/arm/{variant}'?"
            elif arch == "arm64":
                hint = "expected v8 or v9, or one of their minor versions like v8.2"
            else:
                hint = expected_hint(variant, allowed)
            raise PlatformError(
                f"unknown variant {variant!r} of architecture {arch!r} in platform {text!r}",
                hint,
            )
    return Platform(os_name, arch, variant)
