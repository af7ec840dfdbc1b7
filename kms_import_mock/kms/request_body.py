"""What both extended Response classes do to a request body before moto reads it."""

from __future__ import annotations

from typing import Any

from moto.core.responses import BaseResponse


class UndecodableBodyTolerant(BaseResponse):
    """moto decodes every body as UTF-8 and answers HTTP 500 when it is not; remember that
    instead (``self._undecodable``), so the action can refuse it as AWS does, with a 400."""

    _undecodable = False

    def setup_class(
        self, request: Any, full_url: Any = None, headers: Any = None, use_raw_body: Any = None
    ) -> None:
        self._undecodable = False
        try:
            super().setup_class(request, full_url, headers, use_raw_body)
        except UnicodeDecodeError:
            self._undecodable = True
            super().setup_class(request, full_url, headers, use_raw_body=True)
