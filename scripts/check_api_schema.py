"""schemathesis against the OpenAPI document of the running production configuration, signed in
as a demo staff member: no server errors and every response matches the schema, for a bounded
number of examples per operation.

    .venv/bin/python scripts/check_api_schema.py [--max-examples 25] [--user subdistrict_admin]
"""

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prodserver import ROOT, ProductionServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--user", default="subdistrict_admin")
    parser.add_argument("--max-time", type=int, default=600, help="seconds for the whole run")
    args = parser.parse_args()
    # Rate limits would answer 429 to a fuzzer that posts hundreds of requests a minute.
    with ProductionServer(workers=2, demo=True, extra_env={"RATELIMIT_ENABLED": "false"}) as server:
        cookies = server.login(args.user)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        command = [
            str(ROOT / ".venv" / "bin" / "schemathesis"),
            "run",
            f"{server.base}/api/v1/openapi.json",
            "--url",
            server.base,
            "--checks",
            "not_a_server_error,response_schema_conformance",
            # Examples and fuzzing of each operation; the coverage and stateful phases multiply
            # the number of requests many times over for little more.
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            str(args.max_examples),
            "--max-time",
            str(args.max_time),
            "--seed",
            "20250301",
            "--generation-deterministic",
            "--request-timeout",
            "30",
            "--workers",
            "2",
            "--warnings",
            "off",
            "-H",
            f"Cookie: {cookie}",
            "-H",
            f"X-CSRFToken: {cookies.get('csrftoken', '')}",
            "-H",
            "X-Forwarded-Proto: https",
            "-H",
            f"Referer: https://127.0.0.1:{server.port}/",
        ]
        result = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
