"""What may be uploaded: the file types the import engine reads, how many at once, and the
checks made before anything is kept (a clear reason, 422, for each refusal)."""

from pathlib import Path

from etl.readers import CSV_SUFFIXES, EXCEL_SUFFIXES
from etl.vector import VECTOR_SUFFIXES
from geo_service.crs import parse_coord_system
from geo_service.errors import ValidationError

MAX_FILES = 20
# A shapefile is several files: it travels zipped (one .zip holding .shp, .shx, .dbf, .prj).
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}
ACCEPTED = (EXCEL_SUFFIXES | CSV_SUFFIXES | VECTOR_SUFFIXES) - SHAPEFILE_PARTS
ACCEPTED_ZH = "xlsx、xls、csv、geojson、gpkg、zip（Shapefile 打包）"


def checked(files: list[tuple[str | None, bytes]]) -> list[tuple[str, bytes]]:
    """(name, content) of each uploaded file, the name reduced to its last part; or a
    ValidationError saying what is wrong (no file, too many, a type the engine cannot read,
    a bare shapefile part, an empty file)."""
    if not files:
        raise ValidationError("请选择要上报的文件 no file uploaded")
    if len(files) > MAX_FILES:
        raise ValidationError(f"一次最多上报 {MAX_FILES} 个文件 at most {MAX_FILES} files")
    out = []
    for raw_name, content in files:
        name = Path((raw_name or "").replace("\\", "/")).name.strip()
        if not name or name in (".", ".."):
            raise ValidationError("文件名为空 a file has no name")
        suffix = Path(name).suffix.lower()
        if suffix in SHAPEFILE_PARTS:
            raise ValidationError(
                f"{name}: Shapefile 请把 .shp .shx .dbf .prj 打包成一个 zip 上传 "
                "(upload a shapefile as one .zip)"
            )
        if suffix not in ACCEPTED:
            raise ValidationError(
                f"{name}: 不支持的文件类型，可上报 {ACCEPTED_ZH} (unsupported file type)"
            )
        if not content:
            raise ValidationError(f"{name}: 文件为空 empty file")
        out.append((name, content))
    return out


def coord_system(value: str | None) -> str | None:
    """The files' 坐标系 as chosen (WGS84, CGCS2000, GCJ02, BD09), or None."""
    if not value:
        return None
    try:
        return parse_coord_system(value).value
    except ValidationError:
        raise ValidationError(
            f"坐标系无效：{value}（可选 WGS84、CGCS2000、GCJ02、BD09） unknown crs"
        ) from None
