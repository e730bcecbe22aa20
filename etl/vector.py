"""Vector layers (GeoJSON, GeoPackage, Shapefile, zipped Shapefile) read with pyogrio.

The kind of a layer comes from `--layer`, else from the file (or GeoPackage layer) name:
`城中村.geojson`, `道路.shp`, `标准地址.gpkg`, `boundaries.zip`… Geometries are brought to WGS84:
a declared CRS is reprojected with pyproj (CGCS2000 taken as WGS84); `--crs GCJ02/BD09`
shifts coordinates digitised on Chinese web maps. Shapefiles without a `.cpg` are often GBK:
text that decodes as Latin-1 gibberish is re-read as GBK.
"""

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from etl.context import Context
from etl.templates import normalize_header
from geo_service.crs import CoordSystem, transform_geometry
from geo_service.domain.vocabulary import KEY_AREA_KIND_ZH, KeyAreaKind
from geo_service.errors import ValidationError

VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".fgb"}
KEY_AREA_KINDS = {k.value for k in KeyAreaKind}
LAYER_KINDS = ("units", *KEY_AREA_KINDS, "schools", "roads", "addresses")

# Most specific first: 校园周边 before 学校, 标准地址 before 地址, 农村自建房 before 自建房.
_NAME_HINTS: list[tuple[str, str]] = [
    *((zh, kind.value) for kind, zh in KEY_AREA_KIND_ZH.items()),
    ("拆迁安置", KeyAreaKind.RESETTLEMENT_ESTATE.value),
    ("安置小区", KeyAreaKind.RESETTLEMENT_ESTATE.value),
    ("自建房", KeyAreaKind.RURAL_SELF_BUILT.value),
    *((k.value, k.value) for k in KeyAreaKind),
    ("单位边界", "units"),
    ("村界", "units"),
    ("边界", "units"),
    ("行政区", "units"),
    ("boundar", "units"),
    ("units", "units"),
    ("学校", "schools"),
    ("school", "schools"),
    ("道路", "roads"),
    ("路网", "roads"),
    ("road", "roads"),
    ("标准地址", "addresses"),
    ("门牌", "addresses"),
    ("地址", "addresses"),
    ("address", "addresses"),
]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN1_GIBBERISH = re.compile(r"[\u00a0-\u00ff]")


def _hint(name: str) -> str | None:
    n = normalize_header(name)
    for hint, kind in _NAME_HINTS:
        if normalize_header(hint) in n:
            return kind
    return None


def detect_layer(path: Path, explicit: str | None = None) -> str:
    """The layer kind: `--layer` (English code or Chinese name), else from the file name."""
    if explicit:
        kind = explicit if explicit in LAYER_KINDS else _hint(explicit)
        if kind is None:
            raise ValidationError(
                f"unknown --layer {explicit!r} (未知图层类型；可用: {', '.join(LAYER_KINDS)})"
            )
        return kind
    kind = _hint(path.stem)
    if kind is None and path.suffix.lower() == ".gpkg":
        return "by_layer_name"  # a GeoPackage may hold several layers, each named
    if kind is None:
        raise ValidationError(
            f"{path.name}: cannot tell which layer this is; name the file (e.g. 城中村.geojson) "
            f"or pass --layer ({', '.join(LAYER_KINDS)}) (无法判断图层类型)"
        )
    return kind


def _looks_misdecoded(frame: pd.DataFrame) -> bool:
    columns = [c for c in frame.columns if c != getattr(frame, "geometry", pd.Series()).name]
    text = " ".join(v for c in columns for v in frame[c].head(200) if isinstance(v, str))
    return bool(_LATIN1_GIBBERISH.search(text)) and not _CJK.search(text)


def read_layer(path: Path, layer: str | None, ctx: Context) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame in WGS84 (EPSG:4326), attribute names NFKC-normalised."""
    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
        if path.suffix.lower() in {".shp", ".zip"} and _looks_misdecoded(frame):
            frame = pyogrio.read_dataframe(path, layer=layer, encoding="GBK")
            ctx.result.notes.append(f"{path.name}: 属性按 GBK 解码 (attributes read as GBK)")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as e:
        raise ValidationError(f"{path.name}: cannot read the layer: {e} (无法读取图层)") from None
    if frame.crs is None:
        ctx.result.notes.append(f"{path.name}: 未声明坐标系，按 WGS84 读取 (no CRS: read as WGS84)")
        frame = frame.set_crs(4326)
    elif frame.crs.to_epsg() in (4490, 4326):
        frame = frame.set_crs(4326, allow_override=True)  # CGCS2000 ≈ WGS84 (centimetres)
    else:
        frame = frame.to_crs(4326)
    if ctx.options.crs in (CoordSystem.GCJ02, CoordSystem.BD09):
        frame = frame.set_geometry(
            transform_geometry(frame.geometry.values, ctx.options.crs, to=True), crs=4326
        )
    frame.columns = [
        c if c == frame.geometry.name else unicodedata.normalize("NFKC", str(c)).strip()
        for c in frame.columns
    ]
    return frame


def attribute(frame: pd.DataFrame, *names: str) -> str | None:
    """The first attribute of `frame` matching one of `names` (normalised comparison)."""
    wanted = [normalize_header(n) for n in names]
    by_norm = {normalize_header(c): c for c in frame.columns}
    for w in wanted:
        if w in by_norm:
            return by_norm[w]
    return None


def layer_plan(ctx: Context, path: Path, kind: str) -> list[tuple[str | None, str]]:
    """(layer name, kind) of each layer of `path` to load, in loading order: the given kind,
    or for a GeoPackage (`by_layer_name`) every layer whose name says its kind (the others
    are noted as skipped; none at all is refused with the one-line explanation)."""
    if kind == "by_layer_name":
        names = [str(n) for n, _ in pyogrio.list_layers(path)]
        plan = [(n, _hint(n)) for n in names]
        unknown = [n for n, k in plan if k is None]
        if unknown:
            ctx.result.notes.append(f"{path.name}: 跳过无法识别的图层 skipped layers: {unknown}")
        plan = [(n, k) for n, k in plan if k is not None]
        if not plan:
            detect_layer(path.with_name("unknown"))  # raises the one-line explanation
    else:
        plan = [(None, kind)]
    order = {k: i for i, k in enumerate(LAYER_KINDS)}
    return sorted(plan, key=lambda p: order[p[1]])


def layer_rank(kind: str) -> int:
    """Loading order of layer kinds: boundaries first, standard addresses last."""
    return -1 if kind == "by_layer_name" else LAYER_KINDS.index(kind)
