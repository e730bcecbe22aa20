"""Vector layers: GeoJSON, GeoPackage, Shapefile (plain, GBK without .cpg, zipped); every
layer kind; campus buffers from schools; whole-set replacement; GCJ-02 input."""

import math
import zipfile

import etl_samples as s
import geopandas as gpd
import pytest
import shapely

from etl.importer import file_kind
from geo_service.crs import wgs84_to_gcj02
from geo_service.errors import ValidationError


def _square(x: float, y: float, d: float = 0.002):
    return shapely.box(x, y, x + d, y + d)


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    url = new_database("etl_lyr")
    tmp = tmp_path_factory.mktemp("etl_lyr")
    s.setup_town(url, tmp)
    return url, tmp


def _write(frame: gpd.GeoDataFrame, path, **kw):
    frame.to_file(path, **kw)
    return path


def _zip_shapefile(shp, target):
    with zipfile.ZipFile(target, "w") as z:
        for part in shp.parent.glob(shp.stem + ".*"):
            z.write(part, part.name)
    return target


def test_key_area_kinds_from_file_names_in_every_format(town, tmp_path):
    url, _ = town
    files = {
        "城中村.geojson": {},
        "老旧小区.gpkg": {},
        "拆迁安置小区.shp": {"encoding": "UTF-8"},
    }
    paths = []
    for i, (name, kw) in enumerate(files.items()):
        frame = gpd.GeoDataFrame(
            {"名称": [f"{name[:2]}甲", f"{name[:2]}乙"]},
            geometry=[_square(120.031 + 0.01 * i, 31.681), _square(120.034 + 0.01 * i, 31.681)],
            crs=4326,
        )
        paths.append(_write(frame, tmp_path / name, **kw))
    (tmp_path / "raw").mkdir()
    shp = _write(
        gpd.GeoDataFrame({"名称": ["自建房片区"]}, geometry=[_square(120.045, 31.685)], crs=4326),
        tmp_path / "raw" / "x.shp",
        encoding="UTF-8",
    )
    paths.append(_zip_shapefile(shp, tmp_path / "农村自建房.zip"))
    for p in paths:
        result = s.run_import(url, p)
        assert not result.rejections and not result.error, (p, result.rejections)
    got = s.rows(url, "SELECT kind, count(*) FROM key_areas GROUP BY kind ORDER BY kind")
    assert got == [
        ("old_estate", 2),
        ("resettlement_estate", 2),
        ("rural_self_built", 1),
        ("urban_village", 2),
    ]


def test_layer_option_when_the_name_does_not_say(town, tmp_path):
    url, _ = town
    frame = gpd.GeoDataFrame(
        {"name": ["实验小学周边"]}, geometry=[_square(120.052, 31.682)], crs=4326
    )
    path = _write(frame, tmp_path / "areas.geojson")
    with pytest.raises(ValidationError, match="--layer"):
        file_kind(path)
    result = s.run_import(url, path, layer="校园周边")
    assert result.sheets[0].inserted == 1
    assert s.scalar(url, "SELECT kind FROM key_areas WHERE name = '实验小学周边'") == "campus"


def test_key_area_layer_is_the_whole_set(town, tmp_path):
    url, _ = town
    frame = gpd.GeoDataFrame({"名称": ["城中甲"]}, geometry=[_square(120.031, 31.681)], crs=4326)
    result = s.run_import(url, _write(frame, tmp_path / "城中村.geojson"))
    assert [(r.inserted, r.updated, r.unchanged, r.deleted) for r in result.sheets] == [
        (0, 0, 1, 1)
    ]
    assert s.rows(url, "SELECT name FROM key_areas WHERE kind = 'urban_village'") == [("城中甲",)]
    deleted = s.rows(url, "SELECT record_key, before->>'name' FROM audit_log WHERE action='delete'")
    assert deleted == [("urban_village:城中乙", "城中乙")]


def test_schools_build_campus_buffers(town, tmp_path):
    url, _ = town
    frame = gpd.GeoDataFrame(
        {"学校名称": ["戴溪小学", "岑村中学"]},
        geometry=[shapely.Point(120.035, 31.685), shapely.Point(120.045, 31.685)],
        crs=4326,
    )
    result = s.run_import(url, _write(frame, tmp_path / "学校.geojson"))
    assert result.sheets[0].inserted == 2
    areas = dict(
        s.rows(
            url,
            "SELECT k.name, ST_Area(k.geom::geography) FROM key_areas k "
            "JOIN schools s ON s.id = k.school_id WHERE k.kind = 'campus'",
        )
    )
    assert set(areas) == {"戴溪小学校园周边", "岑村中学校园周边"}
    # a 200 m buffer (rules.toml) drawn with 32 segments: within 1 % of π·200²
    for area in areas.values():
        assert area == pytest.approx(math.pi * 200**2, rel=0.01)
    again = s.run_import(url, tmp_path / "学校.geojson")
    assert again.sheets[0].unchanged == 2
    assert s.scalar(url, "SELECT count(*) FROM key_areas WHERE kind = 'campus'") == 3


def test_gcj02_layer_is_shifted_to_wgs84(town, tmp_path):
    url, _ = town
    x, y = wgs84_to_gcj02(120.055, 31.688)
    frame = gpd.GeoDataFrame({"名称": ["洛阳幼儿园"]}, geometry=[shapely.Point(x, y)], crs=4326)
    path = _write(frame, tmp_path / "学校.geojson")
    assert not s.run_import(url, path, crs="GCJ02").rejections
    got = s.rows(
        url,
        "SELECT ST_Distance(geom::geography, ST_MakePoint(120.055, 31.688)::geography) "
        "FROM schools WHERE name = '洛阳幼儿园'",
    )[0][0]
    assert got < 0.01  # metres


def test_gbk_shapefile_without_cpg_roads(town, tmp_path):
    url, _ = town
    lines = [
        shapely.LineString([(120.031, 31.683), (120.039, 31.683)]),
        shapely.MultiLineString(
            [[(120.041, 31.683), (120.045, 31.683)], [(120.045, 31.683), (120.049, 31.683)]]
        ),
    ]
    frame = gpd.GeoDataFrame(
        {
            "名称": ["人民路", "建设路"],
            "等级": ["主干路", "支路"],
            "单行": ["否", "是"],
            "限速": [40, 30],
        },
        geometry=lines,
        crs=4326,
    )
    path = _write(frame, tmp_path / "道路.shp", encoding="GBK")
    path.with_suffix(".cpg").unlink()  # as many Chinese shapefiles arrive
    result = s.run_import(url, path)
    assert not result.rejections, result.rejections
    assert any("GBK" in n for n in result.notes)
    got = s.rows(url, "SELECT name, road_class, oneway, speed_kmh FROM roads ORDER BY name")
    assert got == [("人民路", "primary", 0, 40.0), ("建设路", "local", 1, 30.0)]  # merged
    again = s.run_import(url, path)
    assert (again.sheets[0].inserted, again.sheets[0].deleted) == (0, 0)


def test_addresses_from_geopackage_with_checks(town, tmp_path):
    url, _ = town
    frame = gpd.GeoDataFrame(
        {
            "标准地址": [
                "洛阳镇岑村村新村路1号",
                "岑村村新村路一号",
                "洛阳镇岑村村新村路2号",
                "洛阳镇岑村村新村路3号",
                None,
            ],
            "所属单位": ["岑村", "岑村村", "岑村村", "火星村", "岑村村"],
        },
        geometry=[
            shapely.Point(120.041, 31.689),
            shapely.Point(120.041, 31.689),
            shapely.Point(121.5, 31.2),
            shapely.Point(120.043, 31.689),
            shapely.Point(120.044, 31.689),
        ],
        crs=4326,
    )
    result = s.run_import(url, _write(frame, tmp_path / "门牌.gpkg"), strict=False)
    got = {(r.row, r.code) for r in result.rejections}
    assert got == {
        (2, "duplicate_address"),
        (3, "outside_town"),
        (4, "unknown_unit"),
        (5, "required"),
    }
    assert s.rows(
        url,
        "SELECT a.normalized, u.name FROM addresses a JOIN units u ON u.id = a.unit_id "
        "WHERE normalized LIKE '%%新村路%%'",
    ) == [("岑村村新村路1号", "岑村村")]


def test_geometry_problems(town, tmp_path):
    url, _ = town
    frame = gpd.GeoDataFrame(
        {"名称": ["点", "空"]}, geometry=[shapely.Point(120.05, 31.685), None], crs=4326
    )
    result = s.run_import(url, _write(frame, tmp_path / "老旧小区.geojson"))
    assert {(r.row, r.code) for r in result.rejections} == {
        (1, "bad_geometry_type"),
        (2, "no_geometry"),
    }
    assert result.rolled_back


def test_unit_boundary_creates_a_village_or_refuses(town, tmp_path):
    url, _ = town
    frame = gpd.GeoDataFrame(
        {"单位名称": ["新建村", "开发区"]},
        geometry=[_square(120.06, 31.68, 0.01), _square(120.07, 31.68, 0.01)],
        crs=4326,
    )
    path = _write(frame, tmp_path / "村界.geojson")
    result = s.run_import(url, path, strict=False)
    assert [(r.row, r.code) for r in result.rejections] == [(2, "unknown_unit")]
    assert s.scalar(url, "SELECT kind FROM units WHERE name = '新建村'") == "village"
