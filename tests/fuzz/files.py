"""Valid files to start from: the fuzz sends these as they are, and random ones beside them."""

from scoring.criteria_import import COLUMNS as CRITERIA_COLUMNS
from tests.fuzz.strategies import workbook

CRITERIA_HEADER = [c.title for c in CRITERIA_COLUMNS]


def criteria_workbook() -> bytes:
    """The small criteria table of tests/factories.py as a file to import."""
    return workbook(
        [
            CRITERIA_HEADER,
            ["I", "Nhiệm vụ chuyên môn", "Chấm điểm", None, "1.1", "Chỉ tiêu", 10, ""],
            ["I", "Nhiệm vụ chuyên môn", "Chấm điểm", None, "1.2", "Kế hoạch", "5", ""],
            ["II", "Điểm cộng", "Điểm cộng", "3", "2.1", "Mô hình mới", "2,5", "Có quyết định công nhận"],
            ["III", "Loại trừ", "Loại trừ", None, "3.1", "Bị kỷ luật", None, ""],
        ]
    )
