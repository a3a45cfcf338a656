"""Listings: tags/list as ListImages, _catalog as DescribeRepositories, referrers as
ListImageReferrers, each a page with a ``Link`` to the next (§15.5)."""

from __future__ import annotations

import json
import re
import urllib.parse

from .conftest import Served
from .support import OCI_MANIFEST, OTHER_ACCOUNT, Client, sha

SIGNATURE = "application/vnd.example.signature"
SBOM = "application/vnd.example.sbom"


def _next(answer_link: str) -> str:
    found = re.fullmatch(r'<([^>]+)>; rel="next"', answer_link)
    assert found is not None, answer_link
    return found.group(1)


def test_tags_list_pages_with_n_and_link(registry: Client, served: Served) -> None:
    whole = registry.request("GET", "/v2/team/api/tags/list")
    assert whole.status == 200
    assert whole.headers["content-type"] == "text/plain; charset=utf-8"
    assert whole.json() == {"name": "team/api", "tags": ["v1", "latest", "v2"]}
    assert "link" not in whole.headers
    first = registry.request("GET", "/v2/team/api/tags/list?n=2")
    assert first.json()["tags"] == ["v1", "latest"]
    following = _next(first.headers["link"])
    assert following.startswith("/v2/team/api/tags/list?n=2&last=")
    second = registry.request("GET", following)
    assert second.json()["tags"] == ["v2"]
    assert "link" not in second.headers
    call = served.fake.calls("ListImages").last
    assert call.transport == "registry"
    assert call.params["filter"] == {"tagStatus": "TAGGED"}
    assert call.params["maxResults"] == 2


def test_tags_list_errors(registry: Client) -> None:
    big = registry.request("GET", "/v2/team/api/tags/list?n=1001")
    assert big.status == 400
    assert big.error == (
        "UNSUPPORTED",
        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
        "'Member must have value less than or equal to 1000'",
    )
    stale = registry.request("GET", "/v2/team/api/tags/list?last=v1")
    assert (stale.status, stale.error[0]) == (400, "UNSUPPORTED")
    gone = registry.request("GET", "/v2/team/gone/tags/list")
    assert (gone.status, gone.error[0]) == (404, "NAME_UNKNOWN")


def test_catalog_is_describe_repositories_of_the_registry(registry: Client, served: Served) -> None:
    answer = registry.request("GET", "/v2/_catalog")
    assert answer.status == 200
    assert answer.json() == {"repositories": ["team/api", "team/copy", "team/locked"]}
    paged = registry.request("GET", "/v2/_catalog?n=2")
    assert paged.json() == {"repositories": ["team/api", "team/copy"]}
    rest = registry.request("GET", _next(paged.headers["link"]))
    assert rest.json() == {"repositories": ["team/locked"]}
    assert served.fake.calls("DescribeRepositories").last.transport == "registry"
    too_many = registry.request("GET", "/v2/_catalog?n=1001")
    assert too_many.error == (
        "UNSUPPORTED",
        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
        "'Member must have value less than or equal to 1000'",
    )
    other = served.client(OTHER_ACCOUNT, "eu-west-1")
    assert other.request("GET", "/v2/_catalog").json() == {"repositories": ["mirror/base"]}


def test_referrers_is_an_index_filtered_by_artifact_type(registry: Client, served: Served) -> None:
    subject, subject_digest = registry.push_image("team/copy", "v1", [b"the image"])
    for artifact_type in (SIGNATURE, SBOM):
        config = registry.push_blob("team/copy", b"{}")
        referrer = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "artifactType": artifact_type,
                "config": {
                    "mediaType": "application/vnd.oci.empty.v1+json",
                    "digest": config,
                    "size": 2,
                },
                "layers": [],
                "subject": {
                    "mediaType": OCI_MANIFEST,
                    "digest": subject_digest,
                    "size": len(subject),
                },
                "annotations": {"kind": artifact_type},
            }
        ).encode()
        put = registry.request(
            "PUT",
            f"/v2/team/copy/manifests/{sha(referrer)}",
            referrer,
            {"Content-Type": OCI_MANIFEST},
        )
        assert put.status == 201
    answer = registry.request("GET", f"/v2/team/copy/referrers/{subject_digest}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/vnd.oci.image.index.v1+json"
    index = answer.json()
    assert index["schemaVersion"] == 2
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert sorted(m["artifactType"] for m in index["manifests"]) == [SBOM, SIGNATURE]
    assert "oci-filters-applied" not in answer.headers
    filtered = registry.request(
        "GET", f"/v2/team/copy/referrers/{subject_digest}?artifactType={urllib.parse.quote(SBOM)}"
    )
    assert filtered.headers["oci-filters-applied"] == "artifactType"
    (only,) = filtered.json()["manifests"]
    assert only["artifactType"] == SBOM
    assert only["annotations"] == {"kind": SBOM}
    assert set(only) == {"mediaType", "digest", "size", "artifactType", "annotations"}
    call = served.fake.calls("ListImageReferrers").last
    assert call.transport == "registry"
    assert call.params["filter"] == {"artifactTypes": [SBOM]}
    nothing = registry.request("GET", f"/v2/team/copy/referrers/{sha(b'no subject')}")
    assert nothing.json()["manifests"] == []
