"""URL table for the extended backend: moto's KMS endpoints, served by ``ImportKmsResponse``."""

from __future__ import annotations

from moto.kms.urls import url_bases

from .responses import ImportKmsResponse

__all__ = ["url_bases", "url_paths"]

url_paths = {"{0}/$": ImportKmsResponse.dispatch}
