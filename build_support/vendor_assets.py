"""Fetch the front-end packages of web_map/vendor/assets.toml into web_map/static/vendor/.

    python3 build_support/vendor_assets.py          # fetch what is missing or out of date
    python3 build_support/vendor_assets.py --check  # exit 1 (one line) when incomplete

Run by the build backend (build_support/backend.py) before an sdist, a wheel or an editable
install is built, and by scripts/setup.sh. Standard library only: it runs before anything is
installed. Needs `npm`, only for `npm pack NAME@VERSION`, which downloads one package's
tarball (no dependencies, no scripts run) through the machine's npm configuration. Every
tarball is checked against the SHA-512 pinned in assets.toml before a file is taken from it.

The result: web_map/static/vendor/NAME/<path inside the package>, plus VERSIONS.json (each
package's version, licence, integrity and files), which the running app checks at start-up.
"""

import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = Path("web_map/vendor/assets.toml")
DEST = Path("web_map/static/vendor")
VERSIONS = "VERSIONS.json"


class VendorError(RuntimeError):
    """The assets cannot be fetched: the message says why, in one line."""


def manifest(root: Path = ROOT) -> dict[str, dict]:
    return tomllib.loads((root / MANIFEST).read_text("utf-8"))


def problems(root: Path = ROOT) -> list[str]:
    """Why web_map/static/vendor does not match assets.toml ([] when it does)."""
    dest = root / DEST
    try:
        have = json.loads((dest / VERSIONS).read_text("utf-8"))["packages"]
    except (OSError, ValueError, KeyError):
        return [f"{DEST / VERSIONS} missing"]
    out = []
    for name, spec in manifest(root).items():
        got = have.get(name)
        pinned = (spec["version"], spec["integrity"])
        if got is None or (got["version"], got["integrity"]) != pinned:
            out.append(f"{name}@{spec['version']} not fetched")
            continue
        files = [dest / name / f for f in got["files"]]
        out += [f"{f.relative_to(root)} missing" for f in files if not f.is_file()]
    return out


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _pack(name: str, version: str, into: Path) -> bytes:
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(
            "npm not found: building the package needs it once to fetch the map's and the API "
            "docs' JavaScript (web_map/vendor/assets.toml); install Node.js/npm, or build the "
            "wheel from an sdist, which carries the files"
        )
    done = subprocess.run(
        [npm, "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise VendorError(f"npm pack {name}@{version} failed: {reason}")
    (info,) = json.loads(done.stdout)
    return (into / info["filename"]).read_bytes()


def _extract(name: str, tarball: bytes, patterns: list[str], into: Path) -> list[str]:
    with tempfile.TemporaryFile() as f:
        f.write(tarball)
        f.seek(0)
        with tarfile.open(fileobj=f, mode="r:gz") as tar:
            members = {
                m.name.split("/", 1)[1]: m for m in tar.getmembers() if m.isfile() and "/" in m.name
            }
            taken = []
            for pattern in patterns:
                hits = sorted(p for p in members if fnmatch.fnmatchcase(p, pattern))
                if not hits:
                    raise VendorError(f"{name}: no file {pattern!r} in the package")
                for path in hits:
                    target = into / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(members[path]).read())
                    taken.append(path)
    return taken


def _replace(name: str, folder: Path, edit: dict) -> str:
    """Apply one `replace` edit of assets.toml; a text not found stops the build."""
    path = folder / edit["file"]
    body = path.read_text("utf-8")
    if edit["old"] not in body:
        raise VendorError(f"{name}: {edit['old']!r} not found in {edit['file']}: update the edit")
    path.write_text(body.replace(edit["old"], edit["new"]), "utf-8")
    return f"{edit['file']}: {edit['old']!r} -> {edit['new']!r}"


def fetch(root: Path = ROOT) -> dict:
    """Fetch every package into a fresh folder, then swap it in whole."""
    dest = root / DEST
    dest.parent.mkdir(parents=True, exist_ok=True)
    versions = {}
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        work, packs = Path(tmp) / "vendor", Path(tmp) / "packs"
        packs.mkdir()
        for name, spec in manifest(root).items():
            tarball = _pack(name, spec["version"], packs)
            got = _integrity(tarball)
            if got != spec["integrity"]:
                raise VendorError(
                    f"{name}@{spec['version']}: the tarball's SHA-512 is not the one pinned in "
                    f"{MANIFEST} (got {got}); refusing it"
                )
            files = _extract(name, tarball, spec["files"], work / name)
            versions[name] = {
                "version": spec["version"],
                "license": spec["license"],
                "integrity": spec["integrity"],
                "files": files,
                "replaced": [_replace(name, work / name, edit) for edit in spec.get("replace", [])],
            }
        note = "Vendored by build_support/vendor_assets.py from web_map/vendor/assets.toml."
        (work / VERSIONS).write_text(
            json.dumps({"note": note, "packages": versions}, indent=2) + "\n", "utf-8"
        )
        if dest.exists():
            shutil.rmtree(dest)
        work.rename(dest)
    return versions


def ensure(root: Path = ROOT) -> None:
    """Fetch the assets unless web_map/static/vendor already matches assets.toml."""
    if problems(root):
        fetch(root)


def main(argv: list[str]) -> int:
    try:
        if "--check" in argv:
            missing = problems()
            if missing:
                print(f"vendor assets incomplete: {missing[0]} (+{len(missing) - 1} more)")
                return 1
            return 0
        ensure()
    except VendorError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for name, spec in manifest().items():
        print(f"  {name}@{spec['version']} ({spec['license']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
