"""Compile the .po translation catalogues to .mo files with polib.

Django's `compilemessages` needs GNU gettext installed; polib is pure Python, so a fresh machine
with only Python can build the Lithuanian catalogue. The .mo files are build output (git-ignored).
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for po_path in sorted(ROOT.glob("edureg/**/locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        print(f"compiled {mo_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
