"""Parity scenarios of the five layer operations (on ``registry.yaml``: image C of
``team/api`` names config ``sha256:1…1`` (7 bytes) and layer ``sha256:2…2`` (5 bytes)).

An upload's id is a fresh UUID, so a whole upload flow cannot be written as fixed steps;
``tests/service/test_service_layers.py`` runs that flow on both transports.
"""

from __future__ import annotations

import re
from typing import Any

from .scenarios import REPO, UNKNOWN, Scenario, call, error_of, failure_codes

CONFIG = "sha256:" + "1" * 64
LAYER = "sha256:" + "2" * 64
UPLOAD = "00000000-0000-4000-8000-000000000000"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

MOTO_DEVIATIONS: dict[str, str] = {
    "layers-declared": "found by this suite: BatchCheckLayerAvailability knows only layers "
    "uploaded through moto, not those the repository's manifests name (MissingLayerDigest)",
    "layers-reasons": "found by this suite: BatchCheckLayerAvailability's failureReason texts "
    "differ (moto words them itself)",
    "layers-upload-text": "found by this suite: UploadNotFoundException's text differs "
    "(\"Upload with id '…' could not be found for the repository …\")",
    "layers-download-url": "found by this suite: GetDownloadUrlForLayer is not implemented "
    "(NotImplementedError)",
    "layers-upload-id": "found by this suite: uploadId's pattern is not checked "
    "(UploadNotFoundException instead of InvalidParameterException)",
    "layers-unimplemented": "found by this suite: moto before 5.2.4 (pyproject allows 5.1.11) "
    "implements neither BatchCheckLayerAvailability nor InitiateLayerUpload "
    "(NotImplementedError)",
    "layers-put-image": "§7 item 21: PutImage never checks that the manifest's config and "
    "layers exist (no LayersNotFoundException)",
}

#: Deviations a later moto release fixed: from that version on, the scenario must agree.
MOTO_FIXED_IN: dict[str, tuple[int, ...]] = {"layers-unimplemented": (5, 2, 4)}

#: A manifest naming a config and a layer nobody uploaded to ``team/kms`` (which does
#: not allow missing layers, unlike the rest of the parity registry).
MISSING_CONFIG = "sha256:" + "3" * 64
PLACEHOLDER = (
    '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
    '"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,'
    f'"digest":"{MISSING_CONFIG}"}},"layers":[{{"mediaType":'
    '"application/vnd.docker.image.rootfs.diff.tar.gzip","size":5,"digest":"sha256:'
    + "4" * 64
    + '"}]}'
)


def _upload_shape(outcome: Any) -> Any:
    if isinstance(outcome, dict) and "uploadId" in outcome:
        return {**outcome, "uploadId": bool(_UUID.fullmatch(outcome["uploadId"]))}
    return outcome


def _part(upload: str = UPLOAD, **params: Any) -> Any:
    return call(
        "upload_layer_part",
        repositoryName=REPO,
        uploadId=upload,
        partFirstByte=0,
        partLastByte=2,
        layerPartBlob=b"abc",
        **params,
    )


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "layers-put-image-of-missing-layers",
        (call("put_image", repositoryName="team/kms", imageManifest=PLACEHOLDER, imageTag="x"),),
        lambda o: (
            error_of(o[0]) == "LayersNotFoundException" and f"'{MISSING_CONFIG}'" in o[0]["message"]
        ),
        moto="layers-put-image",
    ),
    Scenario(
        "layers-check-declared",
        (
            call(
                "batch_check_layer_availability", repositoryName=REPO, layerDigests=[CONFIG, LAYER]
            ),
        ),
        lambda o: (
            [(x["layerSize"], x["layerAvailability"]) for x in o[0]["layers"]]
            == [(7, "AVAILABLE"), (5, "AVAILABLE")]
        ),
        moto="layers-declared",
    ),
    Scenario(
        "layers-check-missing-and-malformed",
        (
            call(
                "batch_check_layer_availability",
                repositoryName=REPO,
                layerDigests=[UNKNOWN, "sha256:xyz"],
            ),
        ),
        lambda o: (
            failure_codes(o[0]) == ["MissingLayerDigest", "InvalidLayerDigest"]
            and o[0]["layers"] == []
        ),
        moto="layers-reasons",
    ),
    Scenario(
        "layers-check-missing-repository",
        (call("batch_check_layer_availability", repositoryName="nope", layerDigests=[LAYER]),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
        moto="layers-unimplemented",
    ),
    Scenario(
        "layers-initiate",
        (call("initiate_layer_upload", repositoryName=REPO),),
        lambda o: o[0] == {"uploadId": True, "partSize": 10_485_760},
        project=_upload_shape,
        moto="layers-unimplemented",
    ),
    Scenario(
        "layers-initiate-missing-repository",
        (call("initiate_layer_upload", repositoryName="nope"),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
        moto="layers-unimplemented",
    ),
    Scenario(
        "layers-part-unknown-upload",
        (_part(),),
        lambda o: error_of(o[0]) == "UploadNotFoundException",
        moto="layers-upload-text",
    ),
    Scenario(
        "layers-part-bad-upload-id",
        (_part("not-a-uuid"),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="layers-upload-id",
    ),
    Scenario(
        "layers-complete-unknown-upload",
        (
            call(
                "complete_layer_upload",
                repositoryName=REPO,
                uploadId=UPLOAD,
                layerDigests=[LAYER],
            ),
        ),
        lambda o: error_of(o[0]) == "UploadNotFoundException",
        moto="layers-upload-text",
    ),
    Scenario(
        "layers-download-url-declared",
        (call("get_download_url_for_layer", repositoryName=REPO, layerDigest=LAYER),),
        lambda o: o[0] == {"downloadUrl": f"{REPO}/blobs/{LAYER}", "layerDigest": LAYER},
        moto="layers-download-url",
        # The URL names the endpoint serving the fake and carries a signature: compare
        # the layer it names.
        project=lambda o: (
            {**o, "downloadUrl": o["downloadUrl"].split("/v2/", 1)[-1].partition("?")[0]}
            if isinstance(o, dict) and "downloadUrl" in o
            else o
        ),
    ),
    Scenario(
        "layers-download-url-unknown",
        (call("get_download_url_for_layer", repositoryName=REPO, layerDigest=UNKNOWN),),
        lambda o: error_of(o[0]) == "LayersNotFoundException",
        moto="layers-download-url",
    ),
)
