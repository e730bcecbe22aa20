"""Photos of field visits: checked, stored in the database with their checksum, read back.

The phone resizes a photo before sending it (the long side to at most 1600 px, JPEG); the
server accepts what a phone could send and refuses the rest with a reason. Photos live in
`visit_photos` (bytea), so `geo-service backup` / `restore` carry them with the data, and the
database checks each row's SHA-256 against its bytes.
"""

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy import Connection, text

from geo_service.errors import NotFoundError, ValidationError

MAX_PHOTO_BYTES = 2_000_000  # after the phone's resizing a photo is 0.2–0.8 MB
MAX_PHOTO_SIDE = 2560
MAX_PHOTOS_PER_VISIT = 6
_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Photo:
    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def ref(self) -> str:
        """How a visit record names the photo (review_visits.photos)."""
        return f"sha256:{self.sha256}"


def read_photo(data: bytes, name: str = "") -> Photo:
    """A photo from uploaded bytes, or a ValidationError saying what is wrong with it."""
    label = f"照片 {name} " if name else "照片"
    if not data:
        raise ValidationError(f"{label}为空 (empty photo)")
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(
            f"{label}过大：{len(data) / 1e6:.1f} MB，上限 {MAX_PHOTO_BYTES / 1e6:.0f} MB "
            "(photo too large; the page resizes photos before sending)"
        )
    try:
        with Image.open(io.BytesIO(data)) as img:
            kind, (width, height) = img.format, img.size
            img.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(f"{label}不是可识别的图片 (not a readable image)") from None
    if kind not in _TYPES:
        raise ValidationError(f"{label}格式 {kind} 不支持，应为 JPEG/PNG/WebP (unsupported type)")
    if max(width, height) > MAX_PHOTO_SIDE:
        raise ValidationError(
            f"{label}尺寸 {width}×{height} 超过 {MAX_PHOTO_SIDE} 像素 (photo too large in pixels)"
        )
    return Photo(data, _TYPES[kind], width, height)


def store_photos(conn: Connection, field_visit_id: int, house_id: int, photos: list[Photo]) -> None:
    """Insert the photos of one field visit (the same photo twice is kept once)."""
    if not photos:
        return
    conn.execute(
        text(
            "INSERT INTO visit_photos (field_visit_id, house_id, sha256, media_type, width,"
            " height, bytes, data) VALUES (:visit, :house, :sha, :type, :w, :h, :n, :data)"
            " ON CONFLICT (field_visit_id, sha256) DO NOTHING"
        ),
        [
            {
                "visit": field_visit_id,
                "house": house_id,
                "sha": p.sha256,
                "type": p.media_type,
                "w": p.width,
                "h": p.height,
                "n": len(p.data),
                "data": p.data,
            }
            for p in photos
        ],
    )


def load_photo(conn: Connection, sha256: str) -> Photo:
    """The photo with this checksum (that the caller may see), or NotFoundError."""
    row = conn.execute(
        text(
            "SELECT data, media_type, width, height FROM visit_photos WHERE sha256 = :sha"
            " ORDER BY id LIMIT 1"
        ),
        {"sha": sha256.lower()},
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"照片不存在 (no photo {sha256})")
    return Photo(bytes(row.data), row.media_type, row.width, row.height)
