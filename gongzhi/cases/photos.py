"""Photo checks: a photo is stored only if Pillow decodes it as a JPEG, PNG or WebP image (by its
content, whatever its name says), it is under the size limits, and it is re-encoded from its pixels
so that no metadata (EXIF, GPS position, camera serial, comments) survives."""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import DomainError

ALLOWED_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def _limits() -> tuple[int, int, int]:
    config = settings.GONGZHI
    return (
        config.get("CASE_PHOTO_MAX_BYTES", 10 * 1024 * 1024),
        config.get("CASE_PHOTO_MAX_COUNT", 6),
        config.get("CASE_PHOTO_MAX_PIXELS", 40_000_000),
    )


@dataclass
class CleanPhoto:
    content: ContentFile
    content_type: str
    width: int
    height: int
    size_bytes: int


def _read(upload) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    if hasattr(upload, "chunks"):
        return b"".join(upload.chunks())
    return upload.read()


def clean_photo(upload) -> CleanPhoto:
    max_bytes, _count, max_pixels = _limits()
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise DomainError(_("照片太大（不能超过 %(mb)s MB）") % {"mb": max_bytes // (1024 * 1024)})
    raw = _read(upload)
    if len(raw) > max_bytes:
        raise DomainError(_("照片太大（不能超过 %(mb)s MB）") % {"mb": max_bytes // (1024 * 1024)})
    if not raw:
        raise DomainError(_("照片是空文件"))
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            image_format = probe.format
            if image_format not in ALLOWED_FORMATS:
                raise DomainError(_("只接受 JPEG、PNG 或 WebP 格式的照片"))
            if probe.width * probe.height > max_pixels:
                raise DomainError(_("照片像素太多，请缩小后再传"))
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            # Apply the camera's orientation to the pixels, then drop every piece of metadata
            # by building a new image from the pixel data alone.
            image = ImageOps.exif_transpose(image)
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and image_format != "JPEG" else "RGB"
            pixels = image.convert(mode)
            clean = Image.new(mode, pixels.size)
            clean.paste(pixels)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(_("上传的文件不是有效的图片")) from None
    out = io.BytesIO()
    content_type, extension = ALLOWED_FORMATS[image_format]
    if image_format == "JPEG" or mode == "RGB" and image_format == "WEBP":
        clean.save(out, format=image_format, quality=85)
    else:
        clean.save(out, format=image_format)
    data = out.getvalue()
    return CleanPhoto(
        content=ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"),
        content_type=content_type,
        width=clean.width,
        height=clean.height,
        size_bytes=len(data),
    )


def clean_photos(uploads) -> list[CleanPhoto]:
    uploads = [u for u in (uploads or ()) if u]
    _max_bytes, max_count, _pixels = _limits()
    if len(uploads) > max_count:
        raise DomainError(_("最多上传 %(count)s 张照片") % {"count": max_count})
    return [clean_photo(upload) for upload in uploads]
