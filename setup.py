"""The wheel's build step: the checkout's top-level templates/, static/ and translations/ (where PRODUCT.md
keeps them) go into the package as portal/_assets, with the catalogs compiled, so an installed wheel is
the whole application (portal/config.py's ASSETS finds them). Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSET_DIRS = ("templates", "static", "translations")


class BuildPyWithAssets(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        target = Path(self.build_lib) / "portal" / "_assets"
        for name in ASSET_DIRS:
            shutil.copytree(name, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("pending", "*.pot", "*.mo", "__pycache__"))
        _compile_catalogs(target / "translations")


def _compile_catalogs(directory: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildPyWithAssets})
