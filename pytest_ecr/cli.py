"""``pytest-ecr``: validate declarations, print their JSON Schema, serve a declared
registry outside pytest, snapshot a live registry into a declaration, and convert
placebo's recordings into one."""

from __future__ import annotations

import argparse
import shlex
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pytest_ecr import __version__

if TYPE_CHECKING:
    from pytest_ecr.declarations import Problem

#: How many image ids one BatchGetImage request may carry.
_BATCH = 100


# -- validate --------------------------------------------------------------------------


def _file_problems(path: str) -> list[Problem]:
    """Every problem of one declaration file, its ``faults:`` entries included."""
    from pytest_ecr.declarations import DeclarationError, load_sources

    try:
        # Built too, not only parsed: conflicts within the file show when merging.
        load_sources([str(Path(path).resolve())])
    except DeclarationError as error:
        return list(error.problems)
    return []


def _schema_file_problems(path: str) -> list[Problem]:
    from pytest_ecr.declarations.jsonschema import schema_problems

    resolved = Path(path).resolve()
    return schema_problems(resolved.read_text("utf-8"), str(resolved))


def _as_given(problem: Problem, given: str) -> str:
    """A problem as text, naming the file the way the user named it."""
    from dataclasses import replace

    if problem.source == str(Path(given).resolve()):
        problem = replace(problem, source=given)
    return str(problem)


def _validate(paths: Sequence[str], out: TextIO, *, use_schema: bool = False) -> int:
    """Check each file; print every problem as ``file:line path: message (hint)``.

    The check is the one loading does. With *use_schema* (``--schema``; needs the
    ``jsonschema`` package), a file it accepts is checked against the JSON Schema too:
    the schema and the loader's format are kept identical by the test suite, so this is
    for checking a schema-driven tool against pytest-ecr, and it costs several loads.
    """
    if use_schema:
        from pytest_ecr.declarations.jsonschema import jsonschema_available

        if not jsonschema_available():
            print(
                "pytest-ecr validate --schema needs the jsonschema package "
                "(pip install 'pytest-ecr[schema]')",
                file=sys.stderr,
            )
            return 2
    status = 0
    for path in paths:
        problems = _file_problems(path)
        if not problems and use_schema and Path(path).is_file():
            problems = _schema_file_problems(path)
        if problems:
            status = 1
            for problem in problems:
                print(_as_given(problem, path), file=out)
        else:
            print(f"{path}: ok", file=out)
    return status


# -- schema ----------------------------------------------------------------------------


def _print_schema(out: TextIO, *, path_only: bool) -> int:
    from pytest_ecr.declarations.jsonschema import schema_path, schema_text

    if path_only:
        print(schema_path(), file=out)
    else:
        out.write(schema_text())
    return 0


# -- serve -----------------------------------------------------------------------------


def _registry_hosts(fake: Any, server: Any) -> list[tuple[str, str, str]]:
    """(account, region, host) of every declared registry, the fake's own first."""
    from pytest_ecr.transports.http_server import EcrServer

    served = EcrServer(server, fake)
    keys = {(fake.account, fake.region): None}
    keys.update(dict.fromkeys((r.registry_id, r.region) for r in fake.registry.repositories()))
    return [(account, region, served.registry_host(account, region)) for account, region in keys]


def _serve(
    path: str,
    port: int,
    out: TextIO,
    stop: threading.Event | None = None,
    *,
    verify_signatures: bool = False,
) -> int:
    from pytest_ecr.credentials import export_environment
    from pytest_ecr.declarations import DeclarationError
    from pytest_ecr.fake import FakeEcr
    from pytest_ecr.transports.http_server import EcrHTTPServer
    from pytest_ecr.transports.http_server.standalone import (
        heap_settled,
        listen_problem,
        serve_until,
        stopped_by_signals,
    )

    if not 0 <= port <= 65535:
        print(f"pytest-ecr serve: --port {port}: not a port (0-65535)", file=sys.stderr)
        return 2
    try:
        fake = FakeEcr([str(Path(path).resolve())], fake_environment=False)
    except DeclarationError as error:
        for problem in error.problems:
            print(_as_given(problem, path), file=sys.stderr)
        return 1
    try:
        server = EcrHTTPServer(fake, port=port, verify_signatures=verify_signatures)
    except OSError as error:
        print(f"pytest-ecr serve: {listen_problem(port, error)}", file=sys.stderr)
        return 1
    stop = stop or threading.Event()
    with stopped_by_signals(stop):
        server.start()
        checked = " (signatures checked)" if verify_signatures else ""
        print(
            f"pytest-ecr {__version__} serving {path} at {server.endpoint_url}{checked}", file=out
        )
        print("export these to point the AWS CLI or an SDK at it:", file=out)
        for name, value in export_environment(server.endpoint_url, fake.region).items():
            print(f"export {name}={shlex.quote(value)}", file=out)
        print(
            "registries for OCI clients (log in as AWS with GetAuthorizationToken's password):",
            file=out,
        )
        for account, region, host in _registry_hosts(fake, server):
            print(f"  {account} {region}: {host}", file=out)
        with heap_settled():
            print("Ctrl-C (SIGINT) or SIGTERM stops the server.", file=out, flush=True)
            serve_until(
                server,
                stop,
                lambda failure: print(
                    f"pytest-ecr: internal error: {failure!r}", file=sys.stderr, flush=True
                ),
            )
    print("pytest-ecr: stopped", file=out, flush=True)
    return 0


# -- snapshot --------------------------------------------------------------------------


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _repository_settings(
    client: Any, repository: Mapping[str, Any], warn: TextIO
) -> dict[str, Any]:
    """A repository's declarable settings, as DescribeRepositories, ListTagsForResource and
    GetRepositoryPolicy give them (a setting ECR will not show is left out, with a warning)."""
    from botocore.exceptions import ClientError

    from pytest_ecr.declarations.api_answers import repository_settings

    name = repository["repositoryName"]
    entry = repository_settings(repository)
    try:
        tags = client.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]
        if tags:
            entry["tags"] = {tag["Key"]: tag["Value"] for tag in tags}
        scope = {"registryId": repository["registryId"], "repositoryName": name}
        entry["policy"] = client.get_repository_policy(**scope)["policyText"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code != "RepositoryPolicyNotFoundException":
            print(f"pytest-ecr snapshot: {name}: settings left out: {error}", file=warn)
    return entry


def _snapshot_repository(
    client: Any, repository: Mapping[str, Any], warn: TextIO
) -> dict[str, Any]:
    """One repository entry: its settings, and each image with its exact manifest."""
    from pytest_ecr.declarations.api_answers import has_media_type, sort_time, time_value
    from pytest_ecr.declarations.dump import LiteralText

    name = repository["repositoryName"]
    scope = {"registryId": repository["registryId"], "repositoryName": name}
    details: list[Mapping[str, Any]] = []
    for page in client.get_paginator("describe_images").paginate(**scope):
        details.extend(page["imageDetails"])
    # Push order, as a declaration lists images; the digest breaks ties deterministically.
    details.sort(key=lambda d: (sort_time(d.get("imagePushedAt")), d["imageDigest"]))
    by_type: dict[str | None, list[str]] = {}
    for detail in details:
        by_type.setdefault(detail.get("imageManifestMediaType"), []).append(detail["imageDigest"])
    manifests: dict[str, tuple[str, str]] = {}
    failures: dict[str, str] = {}
    for media_type, digests in by_type.items():
        for chunk in _chunks(digests, _BATCH):
            request: dict[str, Any] = {**scope, "imageIds": [{"imageDigest": d} for d in chunk]}
            # By digest ECR returns the stored bytes; naming the stored type makes sure no
            # client default asks for another one.
            if media_type:
                request["acceptedMediaTypes"] = [media_type]
            answer = client.batch_get_image(**request)
            for found in answer["images"]:
                digest = found["imageId"]["imageDigest"]
                manifests.setdefault(
                    digest, (found["imageManifest"], found.get("imageManifestMediaType") or "")
                )
            for failure in answer["failures"]:
                digest = failure.get("imageId", {}).get("imageDigest", "?")
                failures[digest] = f"{failure.get('failureCode')}: {failure.get('failureReason')}"
    entry: dict[str, Any] = {"name": name, **_repository_settings(client, repository, warn)}
    images: list[dict[str, Any]] = []
    for detail in details:
        digest = detail["imageDigest"]
        if digest not in manifests:
            reason = failures.get(digest, "no manifest returned")
            print(f"pytest-ecr snapshot: skipped {name}@{digest}: {reason}", file=warn)
            continue
        manifest, media_type = manifests[digest]
        image: dict[str, Any] = {}
        tags = list(detail.get("imageTags") or [])
        if tags:
            image["tags"] = tags
        image["digest"] = digest
        pushed_at = time_value(detail.get("imagePushedAt"))
        if pushed_at is not None:
            image["pushed_at"] = pushed_at
        if not has_media_type(manifest) and media_type:
            image["media_type"] = media_type
        image["manifest_text"] = LiteralText(manifest)
        images.append(image)
    entry["images"] = images
    return entry


def snapshot(
    client: Any,
    *,
    registry_id: str | None = None,
    repositories: Iterable[str] = (),
    warn: TextIO | None = None,
) -> str:
    """The YAML declaration of a live registry, read through the boto3 ECR *client*.

    Repositories (name, tag mutability) and, for each image, its tags, digest, push time
    and exact manifest text, so the declared digests are the registry's. Images the
    registry will not return (a per-image failure) are left out with a warning on *warn*.
    """
    from pytest_ecr.declarations.api_answers import dump_exact

    warn = warn or sys.stderr
    names = list(repositories)
    scope: dict[str, Any] = {"registryId": registry_id} if registry_id else {}
    listed: list[Mapping[str, Any]] = []
    paginator = client.get_paginator("describe_repositories")
    pages = paginator.paginate(**scope, **({"repositoryNames": names} if names else {}))
    for page in pages:
        listed.extend(page["repositories"])
    region = client.meta.region_name
    account = registry_id or (listed[0]["registryId"] if listed else None)
    document: dict[str, Any] = {"version": 1}
    if account:
        document["account"] = account
    if region:
        document["region"] = region
    document["repositories"] = [_snapshot_repository(client, repo, warn) for repo in listed]
    header = (
        f"# A snapshot of ECR registry {account or '(unknown)'} in {region}, written by "
        f"pytest-ecr {__version__} snapshot.\n"
        "# manifest_text holds each manifest's exact bytes: the digests are the registry's.\n"
    )
    return dump_exact(document, header)


def _snapshot(args: argparse.Namespace, out: TextIO) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    try:
        client = session.client("ecr", endpoint_url=args.endpoint_url)
        text = snapshot(client, registry_id=args.registry_id, repositories=args.repository)
    except (BotoCoreError, ClientError) as error:
        print(f"pytest-ecr snapshot: {error}", file=sys.stderr)
        return 1
    if args.output in (None, "-"):
        out.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"pytest-ecr snapshot: wrote {args.output}", file=sys.stderr)
    return 0


# -- from-placebo ----------------------------------------------------------------------


def _from_placebo(args: argparse.Namespace, out: TextIO) -> int:
    from pytest_ecr.declarations.from_placebo import convert_placebo
    from pytest_ecr.declarations.placebo import RecordingError

    try:
        conversion = convert_placebo(
            Path(args.directory),
            synthetic=args.synthetic,
            account=args.account,
            region=args.region,
        )
    except RecordingError as error:
        print(f"pytest-ecr from-placebo: {error}", file=sys.stderr)
        return 1
    for note in conversion.notes:
        print(f"pytest-ecr from-placebo: {note}", file=sys.stderr)
    if args.output in (None, "-"):
        out.write(conversion.text)
    else:
        Path(args.output).write_text(conversion.text, encoding="utf-8")
        print(f"pytest-ecr from-placebo: wrote {args.output}", file=sys.stderr)
    return 0


def _add_from_placebo(commands: Any) -> None:
    convert = commands.add_parser(
        "from-placebo",
        help="write a declaration from placebo's recordings of ECR answers",
        description="Write a declaration of the ECR state that placebo's recordings "
        "(api.ecr.<Operation>_<n>.json in placebo's data_path) show: repositories with "
        "their recorded settings, and images with their recorded manifests' exact bytes, "
        "so the declared digests are the recorded ones. What could not be kept is "
        "printed on stderr.",
    )
    convert.add_argument("directory", metavar="DIR", help="placebo's data_path")
    convert.add_argument(
        "--no-synthetic",
        dest="synthetic",
        action="store_false",
        help="leave out images whose manifest was not recorded (default: declare them "
        "synthetic, with their recorded tags, but another digest)",
    )
    convert.add_argument("--account", help="the account where the recordings do not say")
    convert.add_argument("--region", help="the region where the recordings do not say")
    convert.add_argument(
        "-o", "--output", metavar="FILE", help="where to write the YAML (default: stdout)"
    )


# -- the command line ------------------------------------------------------------------


def _add_serve(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a declared registry over HTTP on 127.0.0.1",
        description="Serve the registry FILE declares over HTTP on 127.0.0.1, and print the "
        "environment variables that point the AWS CLI or an SDK at it. Ctrl-C (SIGINT) or "
        "SIGTERM stops it.",
    )
    serve.add_argument("file", metavar="FILE", help="a declaration file")
    serve.add_argument("--port", type=int, default=0, help="port (default: an ephemeral one)")
    serve.add_argument(
        "--verify-signatures",
        action="store_true",
        help="check each request's SigV4 signature against the fake credentials it exports "
        "and answer AWS's errors for a bad one (default: any signature is accepted)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``pytest-ecr`` argument parser (the docs' CLI reference is generated from it)."""
    parser = argparse.ArgumentParser(
        prog="pytest-ecr",
        description="Tools for pytest-ecr registry declarations.",
    )
    parser.add_argument("--version", action="version", version=f"pytest-ecr {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check declaration files; print every problem as file:line",
        description="Check declaration files. Every problem is printed as "
        "'file:line path: message (hint)'; the exit status is 1 if any file has a problem, "
        "0 if all are good. The check is the one the plugin makes when it loads a file; "
        "with --schema, files it accepts are checked against the JSON Schema too.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="declaration files")
    validate.add_argument(
        "--schema",
        dest="use_schema",
        action="store_true",
        default=False,
        help="also check accepted files against the JSON Schema (needs jsonschema; slower)",
    )
    validate.add_argument(
        "--no-schema",
        dest="use_schema",
        action="store_false",
        help="do not check against the JSON Schema (the default)",
    )

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the declaration format",
        description="Print the JSON Schema (draft 2020-12) of the declaration format, or "
        "with --path where the installed file is, for editors' $schema settings.",
    )
    schema.add_argument("--path", action="store_true", help="print the schema file's path instead")

    _add_serve(commands)

    snap = commands.add_parser(
        "snapshot",
        help="write a declaration from a live registry",
        description="Write a declaration of a live registry, read with boto3 and the usual "
        "credential chain: repositories, tags, push times and each manifest's exact bytes "
        "(manifest_text), so the declared digests are the registry's.",
    )
    snap.add_argument("--region", help="the registry's region (default: boto3's configuration)")
    snap.add_argument(
        "--registry-id", help="the registry (account id) to read (default: the caller's)"
    )
    snap.add_argument(
        "--endpoint-url", help="the ECR endpoint (default: AWS, or AWS_ENDPOINT_URL_ECR)"
    )
    snap.add_argument("--profile", help="an AWS profile name (default: boto3's)")
    snap.add_argument(
        "--repository",
        action="append",
        default=[],
        metavar="NAME",
        help="a repository to include (repeatable; default: all)",
    )
    snap.add_argument(
        "-o", "--output", metavar="FILE", help="where to write the YAML (default: stdout)"
    )
    _add_from_placebo(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "validate":
        return _validate(args.files, sys.stdout, use_schema=args.use_schema)
    if args.command == "schema":
        return _print_schema(sys.stdout, path_only=args.path)
    if args.command == "snapshot":
        return _snapshot(args, sys.stdout)
    if args.command == "from-placebo":
        return _from_placebo(args, sys.stdout)
    return _serve(args.file, args.port, sys.stdout, verify_signatures=args.verify_signatures)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
