# ruff: noqa: E501  (a table of YAML documents: long string literals read best unbroken)
"""Writes the bad-declaration corpus under corpus/ (run once; the files are committed).

Each file starts with comment lines the corpus test reads:
``# expect: <text every report must contain>`` (one or more) and ``# line: <N>``.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent / "corpus"

M2 = (
    '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
    '"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,'
    '"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"},'
    '"layers":[]}'
)


def repo(body: str, name: str = "team/api") -> str:
    return f"version: 1\nrepositories:\n  - name: {name}\n{body}"


def images(*entries: str) -> str:
    return repo("    images:\n" + "".join(entries))


CASES: dict[str, tuple[str, list[str], int | None]] = {
    # -- YAML syntax and structure -----------------------------------------------------
    "syntax-unclosed-flow": ("version: 1\nrepositories: [\n", ["invalid YAML"], 3),
    "syntax-tab-indent": ("version: 1\nrepositories:\n\t- name: x\n", ["invalid YAML"], 3),
    "syntax-bad-indent": (
        "version: 1\nrepositories:\n  - name: a\n   images: []\n",
        ["invalid YAML"],
        None,
    ),
    "syntax-unclosed-quote": ('version: 1\nregion: "us-east-1\n', ["invalid YAML"], None),
    "empty-file": ("", ["empty declaration"], None),
    "only-comments": ("# nothing here\n", ["empty declaration"], None),
    "two-documents": ("version: 1\n---\nversion: 1\n", ["document"], 2),
    "top-level-list": ("- version: 1\n", ["mapping"], 1),
    "top-level-scalar": ("hello\n", ["mapping"], None),
    "duplicate-top-key": (
        "version: 1\nregion: us-east-1\nregion: eu-west-1\n",
        ["duplicate key 'region'"],
        3,
    ),
    "duplicate-image-key": (
        images("      - tags: [a]\n        tags: [b]\n"),
        ["duplicate key 'tags'"],
        6,
    ),
    # -- version ----------------------------------------------------------------------
    "missing-version": ("repositories: []\n", ["missing required key 'version'"], 1),
    "version-2": ("version: 2\nrepositories: []\n", ["unsupported version 2"], 1),
    "version-string": ('version: "1"\nrepositories: []\n', ["version"], 1),
    # -- unknown keys and wrong types --------------------------------------------------
    "unknown-top-key": (
        "version: 1\nrepositorys: []\n",
        ["unknown key 'repositorys'", "did you mean 'repositories'"],
        2,
    ),
    "unknown-repo-key": (
        repo("    tag_mutabilty: IMMUTABLE\n"),
        ["unknown key 'tag_mutabilty'", "did you mean 'tag_mutability'"],
        4,
    ),
    "unknown-image-key": (
        images("      - tagz: [v1]\n"),
        ["unknown key 'tagz'", "did you mean 'tags'"],
        5,
    ),
    "unknown-failure-key": (
        images("      - failure: {code: KmsError, reasn: x}\n"),
        ["unknown key 'reasn'"],
        5,
    ),
    "repositories-mapping": (
        "version: 1\nrepositories: {name: a}\n",
        ["expected a list of repositories"],
        2,
    ),
    "repositories-string": ("version: 1\nrepositories: team/api\n", ["repositories"], 2),
    "repository-not-mapping": ("version: 1\nrepositories:\n  - team/api\n", ["repositories[0]"], 3),
    "images-mapping": (repo("    images: {tags: [v1]}\n"), ["images"], 4),
    "image-not-mapping": (images("      - v1\n"), ["images[0]"], 5),
    "tags-string": (images("      - tags: v1\n"), ["tags"], 5),
    "tag-number": (images("      - tags: [1.0]\n"), ["tags[0]"], 5),
    "name-number": ("version: 1\nrepositories:\n  - name: 42\n", ["name"], 3),
    "missing-name": ("version: 1\nrepositories:\n  - images: []\n", ["name"], 3),
    "manifest-list-value": (images("      - manifest: [1, 2]\n"), ["manifest"], 5),
    "pushed-at-garbage": (images("      - pushed_at: yesterday\n"), ["pushed_at"], 5),
    "pushed-at-negative": (images("      - pushed_at: -5\n"), ["pushed_at"], 5),
    "faults-mapping": (
        "version: 1\nrepositories: []\nfaults: {operation: BatchGetImage}\n",
        ["faults"],
        3,
    ),
    # -- names, accounts, regions, tags -------------------------------------------------
    "repo-name-uppercase": (
        "version: 1\nrepositories:\n  - name: Team/API\n",
        ["invalid repository name 'Team/API'"],
        3,
    ),
    "repo-name-too-short": (
        "version: 1\nrepositories:\n  - name: a\n",
        ["invalid repository name 'a'"],
        3,
    ),
    "repo-name-trailing-slash": (
        "version: 1\nrepositories:\n  - name: team/\n",
        ["invalid repository name"],
        3,
    ),
    "repo-name-too-long": (
        "version: 1\nrepositories:\n  - name: " + "a" * 257 + "\n",
        ["invalid repository name"],
        3,
    ),
    "account-unquoted": ("version: 1\naccount: 123456789012\nrepositories: []\n", ["quote it"], 2),
    "account-short": ('version: 1\naccount: "12345"\nrepositories: []\n', ["12 digits"], 2),
    "account-letters": (
        'version: 1\naccount: "12345678901a"\nrepositories: []\n',
        ["12 digits"],
        2,
    ),
    "repo-account-bad": (
        'version: 1\nrepositories:\n  - name: a/b\n    account: "1"\n',
        ["12 digits"],
        4,
    ),
    "region-bad": (
        "version: 1\nregion: mars-1\nrepositories: []\n",
        ["invalid region 'mars-1'"],
        2,
    ),
    "repo-region-bad": (
        "version: 1\nrepositories:\n  - name: a/b\n    region: EU\n",
        ["invalid region"],
        4,
    ),
    "tag-mutability-bad": (repo("    tag_mutability: FROZEN\n"), ["tag_mutability", "MUTABLE"], 4),
    "tag-too-long": (images("      - tags: [" + "t" * 301 + "]\n"), ["tags[0]"], 5),
    "tag-bad-characters": (images("      - tags: ['v 1']\n"), ["tags[0]"], 5),
    "tag-leading-dash": (images("      - tags: ['-v1']\n"), ["tags[0]"], 5),
    "tag-repeated-in-image": (images("      - tags: [v1, v1]\n"), ["v1"], 5),
    # -- conflicts ------------------------------------------------------------------------
    "duplicate-tag-two-images": (
        images("      - tags: [v1]\n", "      - tags: [v1]\n"),
        ["tag 'v1' of repository 'team/api'", "a tag names one image"],
        6,
    ),
    "immutable-tag-twice": (
        "version: 1\nrepositories:\n"
        + "".join(
            f"  - name: a/b\n    tag_mutability: IMMUTABLE\n    images:\n      - tags: [v1]\n        manifest_text: '{M2}'\n"
            for _ in range(2)
        ),
        ["declared twice in IMMUTABLE repository 'a/b'"],
        11,
    ),
    "mutability-conflict": (
        "version: 1\nrepositories:\n  - name: a/b\n    tag_mutability: IMMUTABLE\n  - name: a/b\n    tag_mutability: MUTABLE\n",
        ["a/b"],
        None,
    ),
    # -- manifests -------------------------------------------------------------------------
    "digest-mismatch": (
        images("      - tags: [v1]\n        digest: sha256:" + "0" * 64 + "\n"),
        ["does not match the manifest"],
        6,
    ),
    "digest-malformed": (images("      - tags: [v1]\n        digest: md5-abc\n"), ["digest"], 6),
    "manifest-not-json": (
        images("      - manifest_text: 'not json'\n"),
        ["manifest is not valid JSON"],
        5,
    ),
    "manifest-json-array": (images("      - manifest_text: '[1, 2]'\n"), ["JSON object"], 5),
    "manifest-unknown-media-type": (
        images('      - manifest_text: \'{"mediaType": "application/x-foo"}\'\n'),
        ["unsupported manifest media type 'application/x-foo'"],
        5,
    ),
    "manifest-no-config": (
        images(
            '      - manifest_text: \'{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json"}\'\n'
        ),
        ["config"],
        5,
    ),
    "manifest-bad-layer-size": (
        images(
            "      - manifest: {schemaVersion: 2, mediaType: application/vnd.oci.image.manifest.v1+json, config: {size: 1}, layers: [{size: big}]}\n"
        ),
        ["size"],
        5,
    ),
    "manifest-two-sources": (
        images(f"      - manifest_text: '{M2}'\n        manifest: {{schemaVersion: 2}}\n"),
        ["manifest"],
        5,
    ),
    "media-type-unknown": (
        images(
            "      - tags: [v1]\n        media_type: application/vnd.oci.image.manifest.v2+json\n"
        ),
        ["media_type"],
        6,
    ),
    "media-type-conflicts-manifest": (
        images(
            f"      - manifest_text: '{M2}'\n        media_type: application/vnd.oci.image.manifest.v1+json\n"
        ),
        ["mediaType"],
        5,
    ),
    "synthetic-list": (
        images("      - tags: [v1]\n        media_type: application/vnd.oci.image.index.v1+json\n"),
        ["list"],
        6,
    ),
    "manifest-file-missing": (
        images("      - manifest_file: nope.json\n"),
        ["manifest file not found: nope.json"],
        5,
    ),
    "manifest-file-directory": (images("      - manifest_file: a-directory\n"), ["a-directory"], 5),
    "manifest-file-not-utf8": (images("      - manifest_file: latin1.json\n"), ["latin1.json"], 5),
    "manifest-file-escapes-empty-name": (
        images("      - manifest_file: ''\n"),
        ["manifest_file"],
        5,
    ),
    # -- failures and faults -------------------------------------------------------------
    "failure-unknown-code": (
        images("      - failure: {code: KmsErr}\n"),
        ["unknown failure code 'KmsErr'", "did you mean 'KmsError'"],
        5,
    ),
    "failure-missing-code": (images("      - failure: {reason: broken}\n"), ["code"], 5),
    "failure-string": (images("      - failure: KmsError\n"), ["failure"], 5),
    "fault-unknown-key": (
        "version: 1\nrepositories: []\nfaults:\n  - {operation: BatchGetImage, eror: ServerException}\n",
        ["unknown key 'eror'", "did you mean 'error'"],
        4,
    ),
    "fault-unknown-operation": (
        "version: 1\nrepositories: []\nfaults:\n  - {operation: BatchGetImages, error: ServerException}\n",
        ["unknown operation 'BatchGetImages'"],
        4,
    ),
    "fault-error-not-returnable": (
        "version: 1\nrepositories: []\nfaults:\n  - {operation: GetAuthorizationToken, error: ImageNotFoundException}\n",
        ["cannot return 'ImageNotFoundException'"],
        4,
    ),
    "fault-failure-wrong-operation": (
        "version: 1\nrepositories: []\nfaults:\n  - {operation: DescribeImages, failure: KmsError}\n",
        ["has no per-image results"],
        4,
    ),
    "fault-no-effect": (
        "version: 1\nrepositories: []\nfaults:\n  - {operation: BatchGetImage}\n",
        ["no effect"],
        4,
    ),
    "fault-bad-times": (
        "version: 1\nrepositories: []\nfaults:\n  - {error: ServerException, times: -1}\n",
        ["'times' must be an integer >= 1"],
        4,
    ),
    "fault-bad-connection": (
        "version: 1\nrepositories: []\nfaults:\n  - {connection: rest}\n",
        ["did you mean 'reset'"],
        4,
    ),
    "fault-bad-probability": (
        "version: 1\nrepositories: []\nfaults:\n  - {error: ServerException, probability: 1.5}\n",
        ["'probability'"],
        4,
    ),
    "fault-unknown-failure-code": (
        "version: 1\nrepositories: []\nfaults:\n  - {failure: Broken}\n",
        ["unknown image failure code 'Broken'"],
        4,
    ),
    # -- unsafe and huge YAML ----------------------------------------------------------------
    "python-object-apply": (
        "version: 1\nrepositories: !!python/object/apply:os.system ['echo hacked']\n",
        ["YAML tag '!!python/object/apply:os.system' is not allowed"],
        2,
    ),
    "python-name": ("version: 1\nregion: !!python/name:os.system\n", ["is not allowed"], 2),
    "python-module": ("version: 1\nregion: !!python/module:os\n", ["is not allowed"], 2),
    "custom-tag": ("version: 1\nregion: !Ref Region\n", ["YAML tag '!Ref' is not allowed"], 2),
    "binary-tag": ("version: 1\nregion: !!binary aGVsbG8=\n", ["is not allowed"], 2),
    "billion-laughs": (
        "version: 1\n"
        + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"
            for i in range(1, 9)
        )
        + "repositories: []\n",
        ["alias"],
        None,
    ),
    "deep-nesting": ("version: 1\nfaults: " + "[" * 500 + "]" * 500 + "\n", ["nest"], 2),
    "recursive-alias": ("version: 1\nfaults: &f [*f]\n", ["alias *f"], 2),
    "undefined-alias": ("version: 1\nregion: *nowhere\n", ["alias *nowhere"], 2),
    "many-problems-at-once": (
        'version: 1\naccount: "1"\nregion: mars\nrepositories:\n  - name: BAD\n    images:\n      - tagz: [x]\n',
        [
            "12 digits",
            "invalid region 'mars'",
            "invalid repository name 'BAD'",
            "unknown key 'tagz'",
        ],
        None,
    ),
}

EXTRA_FILES = {
    "manifest-file-not-utf8": ("latin1.json", b'{"schemaVersion": 2, "x": "caf\xe9"}'),
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    (HERE / "a-directory").mkdir(exist_ok=True)
    for name, (text, expect, line) in CASES.items():
        header = "".join(f"# expect: {e}\n" for e in expect)
        if line is not None:
            # the header shifts every line down by its own length
            header += f"# line: {line + len(expect) + 1}\n"
        else:
            header += "# line: any\n"
        (HERE / f"{name}.yaml").write_text(header + text, encoding="utf-8")
    for _name, (filename, data) in EXTRA_FILES.items():
        (HERE / filename).write_bytes(data)
    (HERE / "a-directory" / ".keep").write_text("")
    print(f"{len(CASES)} bad declarations written to {HERE}")


if __name__ == "__main__":
    main()
