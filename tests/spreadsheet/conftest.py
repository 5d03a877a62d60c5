"""LibreOffice (Debian's headless Calc) as the real spreadsheet program of the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


class Calc:
    """Convert files with LibreOffice as a person's spreadsheet program would save them."""

    def __init__(self, program: str, folder: Path) -> None:
        self.program = program
        self.folder = folder
        self.profile = (folder / "profile").as_uri()

    def convert(self, source: Path, to: str) -> Path:
        """Open `source` and save it as `to` ("xlsx" or "fods"); return the new file."""
        out = self.folder / to
        out.mkdir(exist_ok=True)
        target = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "fods": "fods"}[to]
        done = subprocess.run(
            [
                self.program,
                f"-env:UserInstallation={self.profile}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(out),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        converted = out / f"{source.stem}.{to}"
        assert converted.exists(), done.stdout + done.stderr
        return converted


@pytest.fixture(scope="session")
def calc(tmp_path_factory) -> Calc:
    program = shutil.which("soffice")
    if program is None:
        message = "LibreOffice is missing: apt-get install libreoffice-calc-nogui"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Calc(program, tmp_path_factory.mktemp("calc"))
