"""``python -m archgen.tfprovider aws|archive [--schema-cache FILE]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from archgen.tfprovider import PROVIDERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m archgen.tfprovider",
        description="Stand-in Terraform provider (plugin protocol 6) serving archgen's bundled schemas.",
    )
    parser.add_argument("provider", choices=sorted(PROVIDERS))
    parser.add_argument(
        "--schema-cache",
        type=Path,
        default=None,
        help="serialized GetProviderSchema response to serve instead of building it from the bundled data",
    )
    parser.add_argument(
        "--tls-dir",
        type=Path,
        default=None,
        help="folder holding key.pem and cert.pem to present instead of a freshly generated certificate",
    )
    args = parser.parse_args(argv)
    from archgen.tfprovider.server import serve

    return serve(args.provider, args.schema_cache, args.tls_dir)


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: grpc threads can delay a normal exit, and
    # terraform waits for the process to end after Shutdown.
    os._exit(status)
