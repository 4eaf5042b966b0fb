"""Reading request bodies with limits: small forms, and one uploaded file streamed under a size cap.

The cap is enforced on the declared length before anything is read and again on every chunk as it
arrives, so an oversized upload is refused without being buffered. Nothing here parses a workbook.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import Request

FORM_LIMIT = 64 * 1024
MULTIPART_OVERHEAD = 64 * 1024


def too_large(limit: int) -> HTTPException:
    """The refusal of an oversized body, in Chinese."""
    return HTTPException(413, f"文件过大：上传的文件不能超过 {limit / 1024 / 1024:.0f} MB")


def _declared_length(request: Request) -> int | None:
    try:
        return int(request.headers["content-length"])
    except (KeyError, ValueError):
        return None


async def _limited(request: Request, limit: int, error: HTTPException) -> AsyncGenerator[bytes, None]:
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise error
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            raise error
        yield chunk


async def read_form(request: Request) -> dict[str, str]:
    """A small URL-encoded form as a dict (the last value of a repeated field); any other body is
    read as an empty form, which then fails the CSRF check."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    stream = _limited(request, FORM_LIMIT, HTTPException(413, "表单内容过长"))
    data = await FormParser(request.headers, stream).parse()
    return {key: value for key, value in data.items() if isinstance(value, str)}


async def read_upload(request: Request, limit: int) -> tuple[dict[str, str], UploadFile | None]:
    """A multipart form with at most one file of at most ``limit`` bytes; fields and the file."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "multipart/form-data":
        raise HTTPException(400, "请求格式不正确，请通过上传表单选择文件")
    error = too_large(limit)
    stream = _limited(request, limit + MULTIPART_OVERHEAD, error)
    parser = MultiPartParser(request.headers, stream, max_files=1, max_fields=4, max_part_size=4096)
    try:
        data = await parser.parse()
    except MultiPartException:
        raise HTTPException(400, "上传表单不完整或格式不正确，请重新选择文件上传") from None
    fields = {key: value for key, value in data.multi_items() if isinstance(value, str)}
    files = [value for _, value in data.multi_items() if isinstance(value, UploadFile)]
    upload = files[0] if files else None
    if upload is not None and (upload.size or 0) > limit:
        await upload.close()
        raise error
    return fields, upload
