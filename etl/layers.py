"""Loading one vector layer: checks per feature, staging, one set-based upsert with audit.

| kind | geometry | attributes | natural key | a re-import … |
|---|---|---|---|---|
| units | polygon | 单位名称 / name | name | sets boundaries (creates X村/X社区 units) |
| five key-area kinds | polygon | 名称 / name | kind + name | replaces that kind's areas |
| schools | point | 名称 / 学校名称 / name | name | replaces schools; rebuilds 校园周边 |
| roads | line | 名称, 等级, 单行, 限速 | the whole line | replaces the network (diff) |
| addresses | point | 地址 / 标准地址 / 门牌, 所属单位 | normalised address | upserts |
"""

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from etl import checks
from etl.context import Context, SheetResult
from etl.load import upsert
from etl.rejections import RejectionList
from etl.values import each, parse_bool, parse_float
from etl.vector import KEY_AREA_KINDS, attribute, layer_plan, read_layer

_TYPES = {
    "polygon": {"Polygon", "MultiPolygon"},
    "point": {"Point"},
    "line": {"LineString", "MultiLineString"},
}
_TYPE_ZH = {"polygon": "面 (Polygon)", "point": "点 (Point)", "line": "线 (LineString)"}
_NAME = ("名称", "name", "单位名称", "学校名称", "小区名称", "区域名称", "NAME", "mc")
_ROAD_CLASS = {"主干路": "primary", "次干路": "secondary", "支路": "local", "快速路": "trunk"}
_ROAD_CLASS |= {"高速": "trunk", "国道": "trunk", "省道": "primary", "县道": "secondary"}


def _text(value: object) -> str | None:
    return None if value is None else str(value).strip() or None


def _frame(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    return pd.DataFrame({"_row": range(1, len(frame) + 1)}, index=frame.index)


def _geometry(frame: gpd.GeoDataFrame, rows: pd.DataFrame, rl: RejectionList, want: str):
    """Valid geometries of the wanted type (repaired when possible); the rest rejected."""
    geoms = frame.geometry.values
    empty = pd.Series(geoms.isna() | geoms.is_empty, index=frame.index)
    rl.add_mask(rows, empty, "geometry", "no_geometry")
    fixed = shapely.make_valid(geoms.to_numpy())
    if want == "point":  # a one-point MultiPoint is a point
        single = (shapely.get_type_id(fixed) == 4) & (shapely.get_num_geometries(fixed) == 1)
        fixed[single] = shapely.get_geometry(fixed[single], 0)
    if want == "polygon":  # make_valid may return a collection: keep its polygons
        coll = shapely.get_type_id(fixed) == 7
        fixed[coll] = [_polygons_of(g) for g in fixed[coll]]
    types = pd.Series(shapely.get_type_id(fixed), index=frame.index).map(
        {
            0: "Point",
            1: "LineString",
            3: "Polygon",
            4: "MultiPoint",
            5: "MultiLineString",
            6: "MultiPolygon",
            7: "GeometryCollection",
        }
    )
    wrong = ~empty & ~types.isin(_TYPES[want])
    for idx in frame.index[wrong]:
        rl.add(
            int(rows.at[idx, "_row"]),
            "geometry",
            types[idx],
            "bad_geometry_type",
            expected=_TYPE_ZH[want],
            actual=types[idx],
        )
    return pd.Series(shapely.set_srid(fixed, 4326), index=frame.index, dtype=object)


def _polygons_of(geom):
    polys = [g for g in shapely.get_parts(geom) if shapely.get_type_id(g) in (3, 6)]
    return shapely.union_all(polys) if polys else geom


def _ewkb(geoms: pd.Series) -> pd.Series:
    return pd.Series(shapely.to_wkb(geoms.to_numpy(), hex=True, include_srid=True), geoms.index)


def _names(frame, rows, rl, label, fallback: str | None = None) -> pd.Series:
    col = attribute(frame, *_NAME)
    names = each(frame[col], _text) if col else None
    if names is None:
        names = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if fallback is not None:  # unnamed polygons: 城中村-3 (feature 3 of the file)
        names = names.where(names.notna(), fallback + "-" + rows["_row"].astype(str))
    else:
        rl.add_mask(rows, names.isna(), col or "名称", "required")
    return names


def import_layer(ctx: Context, path: Path, kind: str, say: Callable[[str], None]) -> None:
    """Load every layer of `path` of the given kind (or, for a GeoPackage, by layer name)."""
    for layer, layer_kind in layer_plan(ctx, path, kind):
        label = f"{path.name}:{layer}" if layer else path.name
        say(f"{label}: 读取并写入图层 {layer_kind}")
        load(ctx, read_layer(path, layer, ctx), layer_kind, label)


def load(ctx: Context, frame: gpd.GeoDataFrame, kind: str, label: str) -> None:
    """Check and load one layer of `kind` into its table, inside the file's transaction."""
    rl = RejectionList(ctx.source, label)
    rows = _frame(frame)
    result = SheetResult(label, rows=len(frame))
    if kind == "units":
        _units(ctx, frame, rows, rl, result)
    elif kind in KEY_AREA_KINDS:
        _key_areas(ctx, frame, rows, rl, result, kind, label)
    elif kind == "schools":
        _schools(ctx, frame, rows, rl, result)
    elif kind == "roads":
        _roads(ctx, frame, rows, rl, result)
    else:
        _addresses(ctx, frame, rows, rl, result)
    result.rejected = len(rl.bad_rows)
    ctx.result.rejections.extend(sorted(rl.items, key=lambda r: r.row))
    ctx.result.sheets.append(result)


def _valid(rows: pd.DataFrame, rl: RejectionList) -> pd.Series:
    return ~rows["_row"].isin(rl.bad_rows)


def _units(ctx, frame, rows, rl, result) -> None:
    names = _names(frame, rows, rl, "units")
    geoms = _geometry(frame, rows, rl, "polygon")
    kinds = each(names, lambda n: _unit_kind(ctx, n) if n else None)
    unknown = names.notna() & kinds.isna()
    for idx in frame.index[unknown]:
        rl.add(int(rows.at[idx, "_row"]), "单位名称", names[idx], "unknown_unit")
    ok = _valid(rows, rl)
    stage = pd.DataFrame({"row_no": rows["_row"], "name": names, "kind": kinds})[ok]
    stage["geom"] = _ewkb(geoms[ok])
    upsert(ctx, "unit_geoms", stage, result=result)
    ctx.invalidate()


def _unit_kind(ctx: Context, name: str) -> str | None:
    """Existing unit's kind; a new unit named X社区 / X村 is created with that kind."""
    if name in ctx.units:
        return ctx.units[name][1]
    if name.endswith("社区"):
        return "community"
    if name.endswith("村"):
        return "village"
    return None


def _inside(ctx, geoms: pd.Series, rows, rl, ok: pd.Series) -> None:
    pts = shapely.point_on_surface(geoms[ok].to_numpy())
    lon = pd.Series(shapely.get_x(pts), index=geoms[ok].index)
    lat = pd.Series(shapely.get_y(pts), index=geoms[ok].index)
    with ctx.conn.cursor() as cur:
        cur.execute(
            checks.sql("outside_town.sql"),
            {
                "lon": lon.tolist(),
                "lat": lat.tolist(),
                "bbox": list(ctx.town.bbox),
                "tolerance_m": 100.0,
            },
        )
        outside = [i - 1 for (i,) in cur.fetchall()]
    for idx in lon.index[outside]:
        rl.add(
            int(rows.at[idx, "_row"]),
            "geometry",
            f"{lon[idx]:.5f}, {lat[idx]:.5f}",
            "outside_town",
            lon=lon[idx],
            lat=lat[idx],
        )


def _key_areas(ctx, frame, rows, rl, result, kind: str, label: str) -> None:
    names = _names(frame, rows, rl, label, fallback=label.rsplit(".", 1)[0])
    geoms = _geometry(frame, rows, rl, "polygon")
    checks_dup = pd.DataFrame({"_row": rows["_row"], "name": names})
    _duplicate_names(checks_dup, rl)
    _inside(ctx, geoms, rows, rl, _valid(rows, rl))
    ok = _valid(rows, rl)
    stage = pd.DataFrame({"row_no": rows["_row"], "name": names})[ok]
    stage["geom"] = _ewkb(shapely_multi(geoms[ok]))
    upsert(ctx, "key_areas", stage, result=result, params={"kind": kind})


def shapely_multi(geoms: pd.Series) -> pd.Series:
    """Polygons as MultiPolygons (the column type)."""
    arr = geoms.to_numpy().copy()
    single = shapely.get_type_id(arr) == 3
    arr[single] = [shapely.MultiPolygon([g]) for g in arr[single]]
    return pd.Series(shapely.set_srid(arr, 4326), index=geoms.index, dtype=object)


def _duplicate_names(named: pd.DataFrame, rl: RejectionList) -> None:
    dup = named["name"].notna() & named["name"].duplicated(keep="first")
    first = named.drop_duplicates("name").set_index("name")["_row"]
    for idx in named.index[dup]:
        name = named.at[idx, "name"]
        rl.add(int(named.at[idx, "_row"]), "名称", name, "duplicate_key", first=int(first[name]))


def _schools(ctx, frame, rows, rl, result) -> None:
    names = _names(frame, rows, rl, "schools")
    geoms = _geometry(frame, rows, rl, "point")
    _duplicate_names(pd.DataFrame({"_row": rows["_row"], "name": names}), rl)
    _inside(ctx, geoms, rows, rl, _valid(rows, rl))
    ok = _valid(rows, rl)
    stage = pd.DataFrame({"row_no": rows["_row"], "name": names})[ok]
    stage["geom"] = _ewkb(geoms[ok])
    upsert(ctx, "schools", stage, result=result, params={"buffer_m": ctx.rules.campus_buffer_m})


def _roads(ctx, frame, rows, rl, result) -> None:
    geoms = _geometry(frame, rows, rl, "line")
    name_col = attribute(frame, "名称", "道路名称", "name", "NAME")
    names = each(frame[name_col], _text) if name_col else None
    cls_col = attribute(frame, "等级", "道路等级", "road_class", "class", "fclass")
    classes = (
        each(frame[cls_col], lambda v: _ROAD_CLASS.get(_text(v), _text(v)) if _text(v) else "local")
        if cls_col
        else "local"
    )
    oneway_col = attribute(frame, "单行", "是否单行", "oneway")
    oneway = pd.Series(0, index=frame.index, dtype=object)
    if oneway_col:
        parsed, bad = parse_bool(frame[oneway_col].astype(object))
        rl.add_mask(rows, bad, oneway_col, "bad_oneway", frame[oneway_col])
        oneway = parsed.map(lambda v: 1 if v else 0)
    speed_col = attribute(frame, "限速", "速度", "speed_kmh", "speed", "maxspeed")
    speed = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if speed_col:
        speed, bad = parse_float(frame[speed_col].astype(object))
        rl.add_mask(
            rows,
            bad | (pd.to_numeric(speed, errors="coerce") <= 0),
            speed_col,
            "bad_number",
            frame[speed_col],
        )
    ok = _valid(rows, rl)
    stage = pd.DataFrame(
        {
            "row_no": rows["_row"],
            "name": names,
            "road_class": classes,
            "oneway": oneway,
            "speed_kmh": speed,
        }
    )[ok]
    stage["geom"] = _ewkb(geoms[ok])
    upsert(ctx, "roads", stage, result=result)


def _addresses(ctx, frame, rows, rl, result) -> None:
    col = attribute(frame, "标准地址", "地址", "门牌地址", "full_address", "address", "门牌", "dz")
    full = each(frame[col] if col else pd.Series([None] * len(frame), index=frame.index), _text)
    rl.add_mask(rows, full.isna(), col or "地址", "required")
    geoms = _geometry(frame, rows, rl, "point")
    normalized = each(full, lambda a: ctx.normalizer(a) if a else None)
    dup = normalized.notna() & normalized.duplicated(keep="first")
    first = (
        pd.DataFrame({"n": normalized, "r": rows["_row"]}).drop_duplicates("n").set_index("n")["r"]
    )
    for idx in frame.index[dup]:
        rl.add(
            int(rows.at[idx, "_row"]),
            col or "地址",
            full[idx],
            "duplicate_address",
            first=int(first[normalized[idx]]),
        )
    unit_col = attribute(frame, "所属单位", "单位", "单位名称", "村社区", "unit")
    unit_ids = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if unit_col:
        written = each(frame[unit_col], _text)
        resolved = each(written, ctx.normalizer.resolve_unit)
        unit_ids = each(resolved, lambda n: ctx.units[n][0] if n else None)
        for idx in frame.index[written.notna() & unit_ids.isna()]:
            rl.add(
                int(rows.at[idx, "_row"]),
                unit_col,
                written[idx],
                "unknown_unit",
            )
    # The village an address names is its unit, when the layer does not say.
    lead = each(normalized, lambda n: ctx.normalizer.leading_unit(n) if n else None)
    from_text = each(lead, lambda n: ctx.units[n][0] if n in ctx.units else None)
    unit_ids = unit_ids.where(unit_ids.notna(), from_text).astype(object)
    _inside(ctx, geoms, rows, rl, _valid(rows, rl))
    ok = _valid(rows, rl)
    stage = pd.DataFrame(
        {
            "row_no": rows["_row"],
            "full_address": full,
            "normalized": normalized,
            "unit_id": checks.to_int_column(unit_ids),
        }
    )[ok]
    stage["geom"] = _ewkb(geoms[ok])
    upsert(ctx, "addresses", stage, result=result)
    if result.inserted:
        # Fresh statistics for the geocoder's look-ups (exact forms, numbers index) right away,
        # not when autovacuum gets to it: a file imported next would otherwise be planned on
        # none. ANALYZE samples a fixed number of rows, and this layer changes rarely.
        with ctx.conn.cursor() as cur:
            cur.execute("ANALYZE addresses")
    ctx.invalidate()
