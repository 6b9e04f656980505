import io

import pytest
from openpyxl import Workbook

from gongzhi.places.excel import HEADERS


def build_workbook(rows, headers=HEADERS) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "房屋"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "flats.xlsx"
    return buffer


@pytest.fixture
def workbook():
    return build_workbook
