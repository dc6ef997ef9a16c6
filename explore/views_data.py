"""The data page and its download files."""

import datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from core.caching import reads

from . import downloads

# Seconds a client is asked to wait while the first build of the files is under way.
BUILDING_RETRY_SECONDS = 30
WHOLE = (
    (downloads.JSON_FILE, "every table in one JSON file, typed (numbers as numbers)"),
    (downloads.ZIP_FILE, "every table as CSV, with the data package that describes them"),
)


def current_or_queue():
    """The served generation's manifest; before the first build, the build is queued (and,
    with inline tasks, made at once) and None is returned while it is under way."""
    manifest = downloads.package_current()
    if manifest is None:
        # Nothing is being written here: no transaction to wait for.
        downloads.package_rebuild_queue()
        manifest = downloads.package_current()
    return manifest


@reads()
def data_page(request):
    """What can be downloaded, how it is described and under which licence."""
    manifest = current_or_queue()
    tables = []
    if manifest is not None:
        tables = [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "file": f"{table.name}.csv",
                "rows": manifest["counts"][table.name],
                "bytes": manifest["files"][f"{table.name}.csv"]["bytes"],
            }
            for table in downloads.TABLES
        ]
    context = {
        "manifest": manifest,
        "created": _created(manifest),
        "tables": tables,
        "licence": settings.DATA_LICENCE,
        "package": downloads.PACKAGE,
        "whole": [
            {"name": name, "description": description, "bytes": manifest["files"][name]["bytes"]}
            for name, description in WHOLE
        ]
        if manifest
        else [],
    }
    return render(request, "explore/data.html", context)


def _created(manifest):
    if manifest is None:
        return None
    return datetime.datetime.strptime(manifest["created"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.UTC
    )


def data_file(request, name):
    """One download file of the served generation, with its digest as ETag and its build
    time as Last-Modified. A rebuild moves the data version, so no cache serves it stale."""
    manifest = current_or_queue()
    if manifest is None:
        response = HttpResponse(
            "The data files are being built; try again in a minute.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(BUILDING_RETRY_SECONDS)
        return response
    entry = manifest["files"].get(name)
    if entry is None:
        raise Http404(f"No data file is called {name}.")
    etag = f'"{entry["sha256"][:40]}"'
    modified = _created(manifest).timestamp()
    response = get_conditional_response(request, etag=etag, last_modified=int(modified))
    if response is None:
        with downloads.package_open(manifest, name) as handle:
            response = HttpResponse(handle.read(), content_type=_content_type(name))
        if name != downloads.PACKAGE:  # tools read the description where it is; data is saved
            response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


def _content_type(name):
    media_type = downloads.media_type(name)
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type
