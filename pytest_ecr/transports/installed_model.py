"""The installed botocore's ECR operations, so names pytest-ecr's own tables (and its
generated ``Literal`` types) do not know yet are still accepted at run time."""

from __future__ import annotations

import functools

import botocore.session


@functools.cache
def installed_operations() -> frozenset[str]:
    """API names of every operation in the installed botocore's ECR service model.

    Read once per process: the installed botocore does not change while it runs (its data
    path, ``AWS_DATA_PATH`` included, is read when the session is made)."""
    loader = botocore.session.Session().get_component("data_loader")
    return frozenset(loader.load_service_model("ecr", "service-2")["operations"])
