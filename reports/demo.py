"""Demo documents: the demo bloc's 2022 report, minutes, vote-count minutes and request letter, issued."""

import datetime

from blocs.models import Bloc
from reports import services
from reports.models import Document
from scoring.models import Campaign, VoteRound

NARRATIVE_2022 = {
    "strengths": (
        "Các đơn vị thành viên chủ động triển khai phong trào thi đua ngay từ đầu năm, gắn với nhiệm vụ chính trị "
        "của từng đơn vị; **5/5 đơn vị** đăng ký và ký kết giao ước đầy đủ, đúng thời gian.\n\n"
        "- Phối hợp tổ chức các hoạt động chung của Khối: hội thảo chuyên đề, giao lưu văn hóa – văn nghệ;\n"
        "- Công tác chấm điểm, thẩm định thực hiện công khai, đúng bảng tiêu chí đã thống nhất."
    ),
    "limitations": (
        "Một số đơn vị gửi báo cáo định kỳ còn chậm; việc phát hiện, nhân rộng điển hình tiên tiến chưa thường xuyên.\n\n"
        "*Nguyên nhân:* biên chế chuyên trách công tác thi đua ở các hội còn mỏng, kiêm nhiệm nhiều việc."
    ),
    "lessons": (
        "1. Bảng tiêu chí cần cụ thể, có minh chứng cho từng nội dung.\n"
        "2. Khối trưởng và Khối phó phối hợp chặt chẽ, đôn đốc kịp thời.\n"
        "3. Tổ chức hoạt động chung thiết thực, phù hợp đặc thù các hội."
    ),
    "direction": (
        "Tiếp tục đẩy mạnh phong trào thi đua yêu nước, hoàn thành thắng lợi nhiệm vụ năm 2023; đổi mới nội dung, "
        "hình thức hoạt động chung của Khối.\n\n"
        "- Ký kết giao ước thi đua trong quý I/2023;\n"
        "- Sơ kết 6 tháng vào tháng 7/2023;\n"
        "- Tổng kết, bình xét khen thưởng trong tháng 12/2023."
    ),
    "proposals": (
        "Đề nghị Ban Thi đua – Khen thưởng thành phố tiếp tục hướng dẫn nghiệp vụ cho cán bộ làm công tác thi đua "
        "của các hội và xem xét khen thưởng các đơn vị được Khối đề nghị."
    ),
}


def load_reports_demo() -> None:
    bloc = Bloc.objects.get(province__code="CT", kind=Bloc.Kind.KHOI, number=1)
    campaign = Campaign.objects.get(bloc_year__bloc=bloc, bloc_year__year=2022)
    if Document.objects.filter(campaign=campaign).exists():
        return
    narrative = services.narrative_save(actor=None, campaign=campaign, sections=NARRATIVE_2022)
    services.narrative_adopt(actor=None, narrative=narrative)
    conference_day = datetime.date(2022, 12, 28)
    for kind in (Document.Kind.REPORT, Document.Kind.MINUTES):
        services.document_issue(actor=None, campaign=campaign, kind=kind, issued_on=conference_day)
    for vote_round in VoteRound.objects.filter(conference__campaign=campaign).order_by("number"):
        services.document_issue(
            actor=None,
            campaign=campaign,
            kind=Document.Kind.COUNT_MINUTES,
            issued_on=conference_day,
            vote_round=vote_round,
        )
    services.document_issue(
        actor=None, campaign=campaign, kind=Document.Kind.REQUEST, issued_on=datetime.date(2022, 12, 30)
    )
