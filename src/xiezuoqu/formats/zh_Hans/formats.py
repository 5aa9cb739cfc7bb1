"""Simplified Chinese, with ISO first among the input formats.

A form widget renders its value in the first input format, and Django's zh-Hans list starts with
``%Y/%m/%d``: an ``<input type="date">`` cannot read ``2026/12/08`` and shows an empty field, so a
prefilled date was lost and the form could not be sent until the user typed it again. ISO first is
what ``type="date"`` and ``type="datetime-local"`` read; the other Chinese forms are still accepted.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
]
