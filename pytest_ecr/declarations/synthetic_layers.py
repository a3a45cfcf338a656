"""The config and layer blobs of synthetic images: real bytes, the same everywhere.

A synthetic image's layers are tar archives compressed as gzip, and its config is an
image config JSON whose ``rootfs.diff_ids`` are the sha256 of the uncompressed tars, so a
client that checks digests and unpacks layers (skopeo, containerd) accepts them. The
bytes are a function of the image's seed and platform only:

* the tars are written here field by field (ustar headers, fixed owner, mode and time),
  never by :mod:`tarfile`, whose output could change between Python versions;
* the gzip stream holds *stored* deflate blocks (RFC 1951 ``BTYPE=00``) built by hand,
  so no compressor, whose output differs between zlib versions, is involved; only
  zlib's CRC-32, a fixed function, is;
* file contents come from SHAKE-256 of labels derived from the seed.

Real images share base layers, and so do these: the first layer of every image comes
from a pool of :data:`BASE_POOL` base layers per platform, a third layer (when there is
one) from a pool of :data:`RUNTIME_POOL` runtime layers; only the last one or two layers
and the config are the image's own. Each pooled layer is built once per process
(:func:`_pooled`, a pure function of its arguments). Everything is small: a few KiB per
image.

Nothing is kept per image but :class:`SyntheticBlobs`, a seed and a platform: its
:meth:`~SyntheticBlobs.content` builds the blobs again when one is asked for.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from pytest_ecr.model.blobs import BlobContent, PartsContent

#: Base layers per platform that synthetic images choose their first layer from.
BASE_POOL: Final = 3
#: Runtime layers per platform that images of three or four layers take their second from.
RUNTIME_POOL: Final = 4
#: Dependency layers per platform that images of four layers take their third from.
DEPS_POOL: Final = 6
#: Every file's modification time, and the config's ``created``: 2024-01-01T00:00:00Z.
EPOCH: Final = 1_704_067_200
CREATED: Final = "2024-01-01T00:00:00Z"
_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#: The gzip member header: no flags, no modification time, no extra flags, OS "unknown".
_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_STORED_MAX: Final = 0xFFFF
_BLOCK: Final = 512


def _draw(label: str, low: int, high: int) -> int:
    """An integer in ``[low, high]`` drawn from *label*."""
    value = int.from_bytes(hashlib.sha256(label.encode("utf-8")).digest()[:8], "big")
    return low + value % (high - low + 1)


def _octal(value: int, width: int) -> bytes:
    # ustar numeric fields: zero-padded octal digits and a NUL.
    return b"%0*o\x00" % (width - 1, value)


# Every ustar header field but name, size and checksum is the same for each file: mode
# 0644, owner root (0:0), the fixed time, type "regular file", magic "ustar" version "00".
_MODE_OWNER = _octal(0o644, 8) + _octal(0, 8) * 2
_MTIME = _octal(EPOCH, 12)
_MIDDLE = b"0" + b"\x00" * 100 + b"ustar\x0000" + b"root".ljust(32, b"\x00") * 2
_TAIL = _octal(0, 8) * 2 + b"\x00" * 167  # devmajor, devminor, prefix (155), padding (12)
#: The checksum counts its own field as eight spaces.
_FIXED_SUM = sum(_MODE_OWNER + _MTIME + b" " * 8 + _MIDDLE + _TAIL)


def _tar_member(name: str, data: bytes) -> bytes:
    """One regular file of a tar archive: its ustar header and its data, padded."""
    raw = name.encode("ascii")
    if len(raw) > 100:
        raise ValueError(f"tar member name over 100 bytes: {name!r}")
    size = _octal(len(data), 12)
    checksum = b"%06o\x00 " % (_FIXED_SUM + sum(raw) + sum(size))
    header = raw.ljust(100, b"\x00") + _MODE_OWNER + size + _MTIME + checksum + _MIDDLE + _TAIL
    return header + data + b"\x00" * (-len(data) % _BLOCK)


def tar_archive(files: tuple[tuple[str, bytes], ...]) -> bytes:
    """A tar archive of regular *files* (``(name, data)``), ended by two zero blocks."""
    return b"".join([_tar_member(name, data) for name, data in files]) + bytes(2 * _BLOCK)


def stored_gzip(data: bytes) -> bytes:
    """*data* as a gzip member of stored (uncompressed) deflate blocks."""
    parts = [_GZIP_HEADER]
    total = len(data)
    offset = 0
    while True:
        block = data[offset : offset + _STORED_MAX]
        offset += len(block)
        size = len(block)
        final = offset >= total
        parts.append(bytes((final, size & 0xFF, size >> 8, ~size & 0xFF, (~size >> 8) & 0xFF)))
        parts.append(block)
        if final:
            break
    parts.append(
        zlib.crc32(data).to_bytes(4, "little") + (total & 0xFFFFFFFF).to_bytes(4, "little")
    )
    return b"".join(parts)


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Layer:
    """One built layer: its gzip bytes, their digest, and the digest of the tar (diff id)."""

    blob: bytes
    digest: str
    diff_id: str
    #: What the image config's history says made it.
    created_by: str

    @classmethod
    def of(cls, files: tuple[tuple[str, bytes], ...], created_by: str) -> Layer:
        tar = tar_archive(files)
        blob = stored_gzip(tar)
        return cls(blob, _sha256(blob), _sha256(tar), created_by)


def _bytes(label: str, size: int) -> bytes:
    return hashlib.shake_256(label.encode("utf-8")).digest(size)


#: The pools shared layers come from, in layer order after the base: (kind, pool size).
_SHARED: Final = (("runtime", RUNTIME_POOL), ("deps", DEPS_POOL))


@functools.cache
def _pooled(kind: str, index: int, platform: str) -> Layer:
    """Pooled layer *index* of *kind* (``base``, ``runtime``, ``deps``) for *platform*:
    built once per process, a pure function of its arguments."""
    label = f"pytest-ecr/{kind}/{index}/{platform}"
    files: tuple[tuple[str, bytes], ...]
    if kind == "base":
        release = b'NAME="pytest-ecr base %d"\nID=synthetic\nVERSION_ID="%d"\n' % (index, index + 1)
        files = (
            ("etc/os-release", release),
            ("bin/sh", _bytes(f"{label}/sh", _draw(f"{label}/sh", 6_000, 12_000))),
            ("lib/libc.so", _bytes(f"{label}/libc", _draw(f"{label}/libc", 8_000, 16_000))),
        )
        added = hashlib.sha256(label.encode()).hexdigest()
        return Layer.of(files, f"/bin/sh -c #(nop) ADD file:{added} in / ")
    files = (
        (f"usr/lib/{kind}-{index}/lib.so", _bytes(label, _draw(label, 2_000, 9_000))),
        (f"usr/lib/{kind}-{index}/VERSION", b"%d\n" % index),
    )
    return Layer.of(files, f"RUN /bin/sh -c install-{kind}-{index} # buildkit")


def build_layers(seed: str, platform: str) -> tuple[Layer, ...]:
    """The two to four layers of the synthetic image seeded by *seed* for *platform*
    (``os/arch[/variant]``): a pooled base layer, then one or two pooled layers (runtime,
    dependencies) for three or four layers, then the image's own layer."""
    draws = hashlib.sha256(seed.encode("utf-8") + b"\x00layers").digest()
    count = 2 + draws[0] % 3
    layers = [_pooled("base", draws[1] % BASE_POOL, platform)]
    for position, (kind, pool) in enumerate(_SHARED[: count - 2]):
        layers.append(_pooled(kind, draws[2 + position] % pool, platform))
    # The image's own layer: one small text file, named and filled from the seed.
    text = hashlib.shake_256(seed.encode("utf-8") + b"\x00app").hexdigest(8 + 100 + draws[4] * 4)
    name = f"app/{text[:16]}"
    layers.append(Layer.of(((name, text[16:].encode("ascii")),), f"COPY {name} /{name} # buildkit"))
    return tuple(layers)


def image_config(
    layers: tuple[Layer, ...], os: str, architecture: str, variant: str | None
) -> bytes:
    """The image config JSON of *layers* for the platform, compact and in Go's field order
    as Docker writes it (a template: every value is ASCII without characters JSON
    escapes, which :func:`json.loads` of the result checks in the tests)."""
    history = ",".join(
        f'{{"created":"{CREATED}","created_by":"{layer.created_by}"}}' for layer in layers
    )
    diff_ids = ",".join(f'"{layer.diff_id}"' for layer in layers)
    tail = f',"variant":"{variant}"' if variant else ""
    return (
        f'{{"architecture":"{architecture}","config":{{"Env":["{_PATH}"],"Cmd":["/bin/sh"],'
        f'"WorkingDir":"/"}},"created":"{CREATED}","history":[{history}],"os":"{os}",'
        f'"rootfs":{{"type":"layers","diff_ids":[{diff_ids}]}}{tail}}}'
    ).encode("ascii")


def split_platform(platform: str) -> tuple[str, str, str | None]:
    """``os/arch[/variant]`` as its three parts."""
    parts = platform.split("/")
    return parts[0], parts[1], parts[2] if len(parts) > 2 else None


#: The platform of a synthetic image that is not the child of a ``platforms:`` list.
DEFAULT_PLATFORM: Final = "linux/amd64"


@dataclass(frozen=True, slots=True)
class SyntheticBlobs:
    """Where the blobs of one synthetic image come from: its seed, platform and whether
    it has a config (schema 1 has none). Built again on each :meth:`content` question."""

    seed: str
    platform: str = DEFAULT_PLATFORM
    with_config: bool = True

    def blobs(self) -> Iterator[tuple[str, bytes]]:
        """Every ``(digest, bytes)`` of the image: the config first, then the layers."""
        layers = build_layers(self.seed, self.platform)
        if self.with_config:
            config = image_config(layers, *split_platform(self.platform))
            yield _sha256(config), config
        for layer in layers:
            yield layer.digest, layer.blob

    def content(self, digest: str) -> BlobContent | None:
        """Blob *digest* of this image (bytes made again when read), or ``None`` if it
        has no such blob."""
        for found, data in self.blobs():
            if found == digest:
                return GeneratedContent(self, digest, len(data))
        return None

    def bytes_of(self, digest: str) -> bytes:
        """The bytes of blob *digest* of this image; :class:`KeyError` if it has none."""
        for found, data in self.blobs():
            if found == digest:
                return data
        raise KeyError(digest)


@dataclass(frozen=True, slots=True)
class GeneratedContent:
    """One generated blob: made again from its image's :class:`SyntheticBlobs` on each
    read, so holding it costs a few dozen bytes, never the blob."""

    source: SyntheticBlobs
    digest: str
    size: int

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return PartsContent((self.source.bytes_of(self.digest),)).chunks(start, end)


__all__ = [
    "BASE_POOL",
    "CREATED",
    "DEFAULT_PLATFORM",
    "DEPS_POOL",
    "EPOCH",
    "RUNTIME_POOL",
    "GeneratedContent",
    "Layer",
    "SyntheticBlobs",
    "build_layers",
    "image_config",
    "split_platform",
    "stored_gzip",
    "tar_archive",
]
