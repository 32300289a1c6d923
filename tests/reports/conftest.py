import pytest

from reports import services
from tests.factories import voted_campaign


@pytest.fixture
def campaign(world, private_media, secretary, deputy_secretary):
    """Bloc A's 2023 campaign after its conference, with every section of the report written."""
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    services.narrative_save(
        actor=secretary,
        campaign=campaign,
        sections={
            "strengths": "Các đơn vị **hoàn thành tốt** nhiệm vụ.\n\n- Tổ chức hội thảo chuyên đề\n- Giao lưu văn nghệ",
            "limitations": "Báo cáo định kỳ còn *chậm*.",
            "lessons": "1. Tiêu chí cụ thể\n2. Phối hợp chặt chẽ",
            "direction": "Phát huy kết quả năm 2023.",
            "proposals": "Đề nghị tiếp tục hướng dẫn nghiệp vụ.",
        },
    )
    return campaign
