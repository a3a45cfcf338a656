"""AWS partitions: what an ARN and a registry host name look like in each region.

ECR's repository URIs and proxy endpoints end in the partition's DNS suffix, so a
China or ISO region must not get ``amazonaws.com``. The table follows botocore's
``partitions.json``; it lives here because the service layer knows nothing of botocore.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Partition:
    name: str
    dns_suffix: str


_AWS = Partition("aws", "amazonaws.com")

# Region-name prefixes, most specific first. Kept in step with botocore 1.43.
_PARTITIONS: tuple[tuple[str, Partition], ...] = (
    ("cn-", Partition("aws-cn", "amazonaws.com.cn")),
    ("us-gov-", Partition("aws-us-gov", "amazonaws.com")),
    ("us-isob-", Partition("aws-iso-b", "sc2s.sgov.gov")),
    ("us-isof-", Partition("aws-iso-f", "csp.hci.ic.gov")),
    ("us-iso-", Partition("aws-iso", "c2s.ic.gov")),
    ("eu-isoe-", Partition("aws-iso-e", "cloud.adc-e.uk")),
    ("eusc-", Partition("aws-eusc", "amazonaws.eu")),
)


def partition_of(region: str) -> Partition:
    """The partition of *region*; unknown prefixes belong to the commercial one."""
    for prefix, partition in _PARTITIONS:
        if region.startswith(prefix):
            return partition
    return _AWS


def registry_host(registry_id: str, region: str) -> str:
    """The Docker registry host of a registry (``<id>.dkr.ecr.<region>.<suffix>``)."""
    return ".".join((registry_id, "dkr", "ecr", region, partition_of(region).dns_suffix))


def repository_arn(registry_id: str, region: str, name: str) -> str:
    partition = partition_of(region).name
    return f"arn:{partition}:ecr:{region}:{registry_id}:repository/{name}"


def repository_uri(registry_id: str, region: str, name: str) -> str:
    return f"{registry_host(registry_id, region)}/{name}"


def proxy_endpoint(registry_id: str, region: str) -> str:
    return f"https://{registry_host(registry_id, region)}"
