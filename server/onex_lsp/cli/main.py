"""The ``onex-lsp`` command line: generate, update, serve, patterns (learn, import,
stats, ...) and models.

``onex-lsp serve`` is what editors spawn, and they wait for its ``initialize`` answer:
that path imports the server alone, never the other commands (nor, through them, the
generator and the pattern library).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from onex_lsp import __version__

EXIT_OK = 0


def _threshold(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("the threshold is a confidence between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    from onex_lsp.cli import models as cli_models
    from onex_lsp.cli import patterns as cli_patterns
    from onex_lsp.cli import update as cli_update
    from onex_lsp.generation.ranking import DEFAULT_THRESHOLD

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
    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    add_serve_arguments(serve)
    cli_update.add_command(commands)
    cli_patterns.add_commands(commands)
    cli_models.add_commands(commands)
    return parser


SERVE_DESCRIPTION = "Run the ONEX language server. Editors start it over stdio."


def serve_parser() -> argparse.ArgumentParser:
    """``onex-lsp serve``'s own arguments (the full parser imports every command)."""
    parser = argparse.ArgumentParser(prog="onex-lsp serve", description=SERVE_DESCRIPTION)
    add_serve_arguments(parser)
    return parser


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    serve.description = SERVE_DESCRIPTION
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    serve.add_argument("--tcp", action="store_true", help="listen on a TCP socket instead")
    serve.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    serve.add_argument(
        "--allow-remote", action="store_true",
        help="allow --tcp on an address other than loopback: the protocol has no "
        "authentication, so anyone who can reach the port can write files as you",
    )  # fmt: skip
    serve.add_argument("--port", type=int, default=2087, help="TCP port (default 2087)")
    serve.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="what goes to the client's log and to stderr",
    )  # fmt: skip


EXIT_REMOTE_REFUSED = 2


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback one (a name is resolved)."""
    import ipaddress
    import socket

    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses
    )


def serve(args: argparse.Namespace) -> int:
    """Start the server; stdout belongs to the protocol, logs go to stderr and the client.

    Over TCP the protocol has no authentication and its commands write files, so a
    non-loopback address needs ``--allow-remote``."""
    import logging

    if args.tcp and not args.allow_remote and not is_loopback(args.host):
        sys.stderr.write(
            f"onex-lsp serve: refusing to listen on {args.host}: it is not a loopback "
            "address, and the language server has no authentication (anyone who reaches "
            "the port can make it write files as you). Use --host 127.0.0.1, or pass "
            "--allow-remote if the network is yours alone.\n"
        )
        return EXIT_REMOTE_REFUSED

    from onex_lsp.lsp.log import UntilClientReady
    from onex_lsp.lsp.server import create_server

    server = create_server()
    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    stderr_handler.addFilter(UntilClientReady(server.log_handler))
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
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["serve"]:
        return serve(serve_parser().parse_args(arguments[1:]))
    args = build_parser().parse_args(arguments)
    if args.command == "generate":
        from onex_lsp.cli.generate import generate

        return generate(args, sys.stdout, sys.stderr)
    if args.command == "update":
        from onex_lsp.cli import update as cli_update

        return cli_update.update(args, sys.stdout, sys.stderr)
    if args.command == "serve":
        return serve(args)
    if args.command in ("learn", "patterns"):
        from onex_lsp.cli import patterns as cli_patterns

        return cli_patterns.run(args)
    if args.command == "models":
        from onex_lsp.cli import models as cli_models

        return cli_models.run(args)
    build_parser().print_help(sys.stdout)
    return EXIT_OK
