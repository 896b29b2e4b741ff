"""The ``onex-lsp`` command line: generate (and, later, serve, learn, patterns)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from onex_lsp import __version__
from onex_lsp.cli import models as cli_models
from onex_lsp.cli import patterns as cli_patterns
from onex_lsp.contract.reader import ContractIssue
from onex_lsp.generation.pipeline import (
    GeneratedPackage,
    plan_package,
    read_contract,
)
from onex_lsp.generation.ranking import DEFAULT_THRESHOLD
from onex_lsp.generation.targets import PackageTarget, package_target
from onex_lsp.identifiers import IdentifierError
from onex_lsp.positions import human_location
from onex_lsp.workspace_fs import FileExistsConflict, UnsafePathError, write_tree

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_CONTRACT = 2


def _out(stream: TextIO, text: str = "") -> None:
    stream.write(text + "\n")


def _threshold(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("the threshold is a confidence between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onex-lsp",
        description="Generate ONEX node packages from contracts; serve them to editors over LSP.",
    )
    parser.add_argument("--version", action="version", version=f"onex-lsp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    gen = commands.add_parser(
        "generate",
        help="generate node_<name>_<kind>/ from a contract.yaml",
        description="Generate a runnable omnibase-core node package from an ONEX contract.",
    )
    gen.add_argument("contract", type=Path, help="path to the ONEX contract (YAML)")
    gen.add_argument(
        "--out", type=Path, default=None,
        help="folder to create node_<name>_<kind>/ in (default: around the contract when it "
        "already sits in its node folder, else the current directory)",
    )  # fmt: skip
    gen.add_argument(
        "--dry-run",
        action="store_true",
        help="show what would be written; write nothing",
    )
    gen.add_argument("--force", action="store_true", help="overwrite files that already exist")
    gen.add_argument(
        "--threshold", type=_threshold, default=DEFAULT_THRESHOLD,
        help=f"confidence below which an operation gets a TODO stub (default {DEFAULT_THRESHOLD})",
    )  # fmt: skip
    serve = commands.add_parser(
        "serve",
        help="run the language server (stdio by default)",
        description="Run the ONEX language server. Editors start it over stdio.",
    )
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    serve.add_argument("--tcp", action="store_true", help="listen on a TCP socket instead")
    serve.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=2087, help="TCP port (default 2087)")
    serve.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="what goes to the client's log and to stderr",
    )  # fmt: skip
    cli_patterns.add_commands(commands)
    cli_models.add_commands(commands)
    return parser


def serve(args: argparse.Namespace) -> int:
    """Start the server; stdout belongs to the protocol, logs go to stderr and the client."""
    import logging

    from onex_lsp.lsp.server import create_server

    server = create_server()
    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logging.getLogger().addHandler(stderr_handler)
    logging.getLogger("pygls").setLevel(logging.WARNING)  # it logs every message it sends
    ours = logging.getLogger("onex_lsp")
    ours.setLevel(args.log_level)
    # Only our own records go to the client: forwarding pygls' "Sending data" records
    # would make every log message produce another one.
    ours.addHandler(server.log_handler)
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        return generate(args, sys.stdout, sys.stderr)
    if args.command == "serve":
        return serve(args)
    if args.command in ("learn", "patterns"):
        return cli_patterns.run(args)
    if args.command == "models":
        return cli_models.run(args)
    build_parser().print_help(sys.stdout)
    return EXIT_OK


def _report_issues(path: Path, issues: Sequence[ContractIssue], err: TextIO) -> None:
    for issue in issues:
        where = human_location(str(path), issue.range.start)
        _out(err, f"{where}: {issue.severity.value}[{issue.code}]: {issue.message}")


def describe_plan(package: GeneratedPackage, out: TextIO) -> None:
    contract = package.contract
    _out(
        out,
        f"{contract.path}: {contract.kind.upper_name} node '{contract.name}', "
        f"{len(contract.operations)} operation(s)",
    )
    for summary in package.detection.patterns:
        _out(
            out,
            f"  pattern {summary.pattern.label:<15} {summary.confidence:.2f}  {summary.reason}",
        )
    for choice in package.choices:
        _out(
            out,
            f"  {choice.operation:<28} {choice.block:<26} {choice.confidence:.2f}  {choice.reason}",
        )


def generate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path: Path = args.contract
    result = read_contract(path)
    _report_issues(path, result.issues, err)
    if result.contract is None or result.errors:
        _out(
            err,
            f"{path}: not generated: the contract has {len(result.errors) or 1} error(s)",
        )
        return EXIT_BAD_CONTRACT
    try:
        package = plan_package(result.contract, args.threshold)
    except IdentifierError as exc:
        _out(err, f"{path}: not generated: {exc}")
        return EXIT_BAD_CONTRACT
    describe_plan(package, out)
    if args.out is not None:
        target = PackageTarget(args.out, package.package_name, in_place=False)
    elif path.parent.name == package.package_name:
        target = package_target(path, result.contract)  # beside the contract, kept as it is
    else:
        target = PackageTarget(Path.cwd(), package.package_name, in_place=False)
    files = target.files_to_write(package)
    if args.dry_run:
        _out(out, f"would write {len(files)} file(s) to {target.folder}/ (dry run)")
        for rel in sorted(files):
            _out(out, f"  {rel}")
        return EXIT_OK
    try:
        written = write_tree(target.root, files, overwrite=args.force)
    except FileExistsConflict as exc:
        _out(
            err,
            f"error: {len(exc.paths)} file(s) already exist (use --force to overwrite):",
        )
        for existing in exc.paths:
            _out(err, f"  {existing}")
        return EXIT_ERROR
    except (UnsafePathError, OSError) as exc:
        _out(err, f"error: {exc}")
        return EXIT_ERROR
    _out(out, f"wrote {len(written.written)} file(s) to {target.folder}/")
    for file in written.written:
        _out(out, f"  {file}")
    if not package.formatted:
        _out(err, "note: ruff was not found, so the generated code was not reformatted")
    return EXIT_OK
