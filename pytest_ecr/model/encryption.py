"""KMS key ids the fake invents: ECR's AWS-managed key and the keys aliases name.

ECR reports a repository's KMS key as a key ARN. The fake has no KMS, so the key id of
the AWS-managed key ``alias/aws/ecr`` of an account and Region, and of any other alias,
is a UUID derived from them (:func:`uuid.uuid5`): the same on every run and machine.
"""

from __future__ import annotations

import uuid
from typing import Final

#: The alias of the key ECR creates for ``encryptionType: KMS`` without ``kmsKey``.
AWS_MANAGED_ALIAS: Final = "alias/aws/ecr"
_NAMESPACE: Final = uuid.UUID("5f0e6a53-2d61-4c38-9b8e-7c1e3a0d4b27")


def alias_key_id(account: str, region: str, alias: str) -> str:
    """The key id *alias* (``alias/...``) names in one account and Region."""
    return str(uuid.uuid5(_NAMESPACE, f"{account}:{region}:{alias}"))


def aws_managed_key_id(account: str, region: str) -> str:
    """The key id of the AWS-managed ECR key (``alias/aws/ecr``) of an account and Region."""
    return alias_key_id(account, region, AWS_MANAGED_ALIAS)


__all__ = ["AWS_MANAGED_ALIAS", "alias_key_id", "aws_managed_key_id"]
