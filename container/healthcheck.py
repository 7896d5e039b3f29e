#!/usr/bin/env python3
"""The image's HEALTHCHECK: GET http://127.0.0.1:PORT/healthz; exit 0 on 200, else 1.

PORT is HARVESTER_WEB__PORT (the image sets 8080). Standard library only: slim images have no curl.
"""

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("HARVESTER_WEB__PORT", "8080")
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            body = answer.read(2000).decode("utf-8", "replace").strip()
            print(f"{url}: {answer.status} {body}")
            return 0 if answer.status == 200 else 1
    except urllib.error.HTTPError as error:  # 503 and friends
        body = error.read(2000).decode("utf-8", "replace").strip()
        print(f"{url}: {error.code} {body}")
    except (urllib.error.URLError, OSError) as error:
        print(f"{url}: {getattr(error, 'reason', error)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
