"""The build backend: setuptools, after making sure the vendored front-end files are there.

A wheel must carry the JavaScript and CSS the app serves (an intranet has no CDN), but those
files are not committed: `vendor_assets.ensure` fetches them, pinned and checked, into
web_map/static/vendor/ (see web_map/vendor/assets.toml) before setuptools packs them. An
sdist carries them too, so a wheel built from an sdist needs no npm.
"""

from pathlib import Path

import vendor_assets  # beside this file: pyproject's backend-path puts the folder on sys.path
from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (every hook this module does not wrap)


def _ensure_assets() -> None:
    try:
        vendor_assets.ensure(Path.cwd())
    except vendor_assets.VendorError as e:
        raise SystemExit(f"error: {e}") from None


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _ensure_assets()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    _ensure_assets()
    return _setuptools.build_sdist(sdist_directory, config_settings)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _ensure_assets()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
