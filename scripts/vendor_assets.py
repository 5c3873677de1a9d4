"""Copy the pinned front-end assets from node_modules/ into the static files WhiteNoise serves.

`npm ci` (run by `make setup` from package-lock.json) installs the exact versions; this script
copies only the files the pages use into edureg/core/static/vendor/ (git-ignored build output),
so that nothing is ever loaded from a CDN and node_modules/ itself is never served.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "edureg" / "core" / "static" / "vendor"

# static path under vendor/ -> file in node_modules/
ASSETS = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    # Only the browser tests inject it (accessibility checks); served like the others.
    "axe.min.js": "axe-core/axe.min.js",
}


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = []
    for name, source in ASSETS.items():
        path = ROOT / "node_modules" / source
        if not path.exists():
            missing.append(source)
            continue
        target = TARGET / name
        if not target.exists() or target.read_bytes() != path.read_bytes():
            shutil.copyfile(path, target)
            print(f"vendored {source} -> {target.relative_to(ROOT)}")
    if missing:
        print("missing in node_modules (run `npm ci`): " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
