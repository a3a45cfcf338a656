"""The texts a fault injecting a pull-through cache, template, exclusion or storage-class
error gets: the service model's own descriptions of those errors (ECR's runtime texts are
unknown; the operations themselves answer with more specific ones)."""

from __future__ import annotations

from typing import Final

CACHES_ERROR_TEXTS: Final[dict[str, str]] = {
    "PullThroughCacheRuleAlreadyExistsException": (
        "A pull through cache rule with these settings already exists for the private registry"
    ),
    "PullThroughCacheRuleNotFoundException": (
        "The pull through cache rule was not found. Specify a valid pull through cache "
        "rule and try again"
    ),
    "UnsupportedUpstreamRegistryException": "The specified upstream registry isn't supported",
    "SecretNotFoundException": (
        "The ARN of the secret specified in the pull through cache rule was not found. "
        "Update the pull through cache rule with a valid secret ARN and try again"
    ),
    "UnableToAccessSecretException": (
        "The secret is unable to be accessed. Verify the resource permissions for the "
        "secret and try again"
    ),
    "UnableToDecryptSecretValueException": (
        "The secret is accessible but is unable to be decrypted. Verify the resource "
        "permissions and try again"
    ),
    "TemplateAlreadyExistsException": (
        "The repository creation template already exists. Specify a unique prefix and try again"
    ),
    "TemplateNotFoundException": (
        "The specified repository creation template can't be found. Verify the registry "
        "ID and prefix and try again"
    ),
    "ExclusionAlreadyExistsException": (
        "The specified pull time update exclusion already exists for the registry"
    ),
    "ExclusionNotFoundException": "The specified pull time update exclusion was not found",
    "ImageStorageClassUpdateNotSupportedException": (
        "The requested image storage class update is not supported"
    ),
    "UnableToListUpstreamImageReferrersException": (
        "The referrer or referrers were unable to be listed using the pull through cache rule"
    ),
}
