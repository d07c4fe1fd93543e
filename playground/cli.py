"""``python -m playground``: start the server, open the page, stop cleanly on Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading
import webbrowser

from playground.server import PlaygroundServer, is_loopback
from playground.session import Sessions


def build_parser() -> argparse.ArgumentParser:
    """The command line; every option says what it does and its default."""
    parser = argparse.ArgumentParser(
        prog="python -m playground",
        description="A web page that trains this framework's networks live: pick a data "
                    "set, a network and an optimizer, press play and watch the decision "
                    "boundary, the hidden units and the losses change.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port to listen on, 0 for any free one (default: 8000)")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open the page in a web browser")
    parser.add_argument("--max-sessions", type=int, default=32, metavar="N",
                        help="most browser tabs training at once (default: 32)")
    parser.add_argument("--session-minutes", type=float, default=15, metavar="M",
                        help="a tab idle for M minutes is forgotten (default: 15)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C; returns the exit status (0, or 2 when the port is unusable)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be in 0..65535, got {args.port}")
    if args.max_sessions < 1 or not args.session_minutes > 0:
        parser.error("--max-sessions must be >= 1 and --session-minutes > 0")
    if not is_loopback(args.host):
        print(f"warning: {args.host} is not a loopback address: anyone who can reach this "
              "machine can use the playground (it has no password)", file=sys.stderr)
    try:
        server = PlaygroundServer(args.host, args.port,
                                  Sessions(args.max_sessions, 60 * args.session_minutes))
    except OSError as err:
        print(f"python -m playground: cannot listen on {args.host}:{args.port} ({err.strerror})"
              f"; choose another --port (0 picks a free one)", file=sys.stderr)
        return 2
    print(f"Playground at {server.url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        server.server_close()
    return 0
