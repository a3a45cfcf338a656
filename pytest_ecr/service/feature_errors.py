"""The texts a fault injecting an error of the control-plane features gets: ECR's reported
texts where known, else wordings in ECR's style (the operations themselves answer with
the specific texts of each case)."""

from __future__ import annotations


def feature_error_texts(repo: str, account: str, region: str) -> dict[str, str]:
    """Texts for tags, policies, lifecycle, scans, replication, signing and layer errors."""
    return {**_control_plane_texts(repo, account, region), **_layer_texts(repo, account)}


def _control_plane_texts(repo: str, account: str, region: str) -> dict[str, str]:
    return {
        "LifecyclePolicyNotFoundException": (
            f"Lifecycle policy does not exist for the repository with name '{repo}' in the "
            f"registry with id '{account}'"
        ),
        "LifecyclePolicyPreviewNotFoundException": (
            f"Lifecycle policy preview does not exist for the repository with name '{repo}' "
            f"in the registry with id '{account}'"
        ),
        "LifecyclePolicyPreviewInProgressException": (
            f"Lifecycle policy preview is already in progress for the repository with name "
            f"'{repo}' in the registry with id '{account}'"
        ),
        "InvalidTagParameterException": (
            "An invalid parameter has been specified. Tag keys can have a maximum character "
            "length of 128 characters, and tag values can have a maximum length of 256 "
            "characters."
        ),
        "TooManyTagsException": (
            "The maximum number of tags that can be applied to a repository is 50"
        ),
        "RepositoryPolicyNotFoundException": (
            f"Repository policy does not exist for the repository with name '{repo}' in the "
            f"registry with id '{account}'"
        ),
        "RegistryPolicyNotFoundException": (
            f"Registry policy does not exist in the registry with id '{account}'"
        ),
        "ScanNotFoundException": (
            "Image scan does not exist for the image with '{imageDigest:'null', "
            f"imageTag:'latest'}}' in the repository with name '{repo}' in the registry "
            f"with id '{account}'"
        ),
        "UnsupportedImageTypeException": (
            "An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be "
            "scanned. For more information, see the Amazon ECR documentation."
        ),
        "SigningConfigurationNotFoundException": (
            f"Signing configuration not found for registry with id '{account}'"
        ),
        "ReplicationBackfillNotFoundException": (
            "The replication backfill with id '00000000-0000-4000-8000-000000000000' does not "
            f"exist in the registry with id '{account}'"
        ),
        "ReplicationBackfillInProgressException": (
            f"A replication backfill to the Region '{region}' is already in progress for the "
            f"registry with id '{account}'"
        ),
        "ReplicationBackfillInvalidStatusException": (
            "The replication backfill with id '00000000-0000-4000-8000-000000000000' cannot be "
            "stopped because its status is COMPLETE"
        ),
    }


def _layer_texts(repo: str, account: str) -> dict[str, str]:
    return {
        # The layer operations' codes (pytest_ecr.service.layers words the real answers).
        "LayersNotFoundException": (
            f"The layer with digest '<digest>' does not exist within the repository with name "
            f"'{repo}' in the registry with id '{account}'"
        ),
        "LayerInaccessibleException": (
            "The specified layer is not available because it is not associated with an image. "
            "Unassociated image layers may be cleaned up at any time."
        ),
        "UploadNotFoundException": (
            f"The upload does not exist in the repository with name '{repo}' in the registry "
            f"with id '{account}'"
        ),
        "InvalidLayerPartException": "The layer part is not contiguous with the parts received",
        "LayerPartTooSmallException": (
            "All layer parts except the last part should be at least 5MB"
        ),
        "LayerAlreadyExistsException": (
            f"The layer already exists in the repository with name '{repo}' in the registry "
            f"with id '{account}'"
        ),
        "InvalidLayerException": (
            "None of the provided layer digests match the calculated layer digest"
        ),
        "EmptyUploadException": (
            f"The upload in the repository with name '{repo}' in registry with id '{account}' "
            "cannot be completed because it does not have any parts"
        ),
    }
