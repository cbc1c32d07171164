"""python -m legacy.upstream --port 8090 --latency-ms 300"""
import argparse
import sys

from legacy.upstream.server import serve_forever


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m legacy.upstream", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="only loopback addresses make sense")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=None,
        help="same latency for every endpoint (default: UPSTREAM_LATENCY_MS or production's per-endpoint values)",
    )
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the upstream binds loopback addresses only")
    serve_forever(port=args.port, latency_ms=args.latency_ms, host=args.host)
    return 0


if __name__ == "__main__":
    sys.exit(main())
