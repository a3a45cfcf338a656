"""The format of the blob keys: an image's ``blobs:`` and the ``allow_missing_layers``
switch of registries and repositories, with the rules ``schema.json`` states for them.

Stated here once, read by :mod:`~pytest_ecr.declarations.blob_files` and
:mod:`~pytest_ecr.declarations.layer_checks` (the checks) and by
:func:`pytest_ecr.declarations.format.schema_facts` (the schema test).
"""

from __future__ import annotations

from typing import Final

from pytest_ecr.model.blobs import ALLOW_MISSING_LAYERS
from pytest_ecr.model.names import SHA256_DIGEST_PATTERN

#: The image key naming blob files, and the keys of its mapping.
BLOBS_KEY: Final = "blobs"
BLOBS_KEYS: Final = ("folder", "files")
#: Where a blob ``sha256:<hex>`` is looked for in a ``folder``, in this order.
FOLDER_LAYOUTS: Final = ("blobs/sha256/{hex}", "sha256/{hex}", "{hex}")
#: The switch that lets PutImage store manifests naming blobs the repository lacks.
ALLOW_MISSING_LAYERS_KEY: Final = ALLOW_MISSING_LAYERS


def schema_facts() -> dict[str, object]:
    """What ``schema.json`` states of these keys (see ``format.schema_facts``)."""
    blobs = "/$defs/image_blobs"
    switch = {
        f"/$defs/{where}/properties/{ALLOW_MISSING_LAYERS_KEY}/default": False
        for where in ("registry", "repository")
    }
    return {
        f"{blobs}/additionalProperties": False,
        f"{blobs}/properties": list(BLOBS_KEYS),
        f"{blobs}/properties/folder/minLength": 1,
        f"{blobs}/properties/files/propertyNames/pattern": f"^{SHA256_DIGEST_PATTERN}$",
        f"{blobs}/properties/files/additionalProperties": {"type": "string", "minLength": 1},
        **switch,
    }


__all__ = [
    "ALLOW_MISSING_LAYERS_KEY",
    "BLOBS_KEY",
    "BLOBS_KEYS",
    "FOLDER_LAYOUTS",
    "schema_facts",
]
