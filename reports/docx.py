"""The same documents as Word files (.docx), for offices that finish them in Word; built from the snapshot."""

import io

from django.utils import translation
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from reports import richtext

FONT = "Times New Roman"


def _font(run, *, size=13, bold=False, italic=False):
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    # Word picks the East Asian and complex-script fonts separately; name them all.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), FONT)
    return run


def _para(container, text="", *, align=None, size=13, bold=False, italic=False, indent=False, space_after=4):
    paragraph = container.add_paragraph()
    if text:
        _font(paragraph.add_run(text), size=size, bold=bold, italic=italic)
    paragraph.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    return paragraph


def _center(container, text, **kwargs):
    return _para(container, text, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0, **kwargs)


def _no_borders(table):
    borders = table._element.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._element.tblPr.remove(borders)


def _setup(doc, snapshot):
    section = doc.sections[0]
    if snapshot.get("landscape"):
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(30), Mm(20)
        section.left_margin, section.right_margin = Mm(20), Mm(20)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)


def _header(doc, snapshot):
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(7), Cm(9.5)
    left.paragraphs[0].text = ""
    _font(left.paragraphs[0].add_run(snapshot["parent_body"]), size=12)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _center(left, snapshot["issuer"], size=12, bold=True)
    _center(left, "―――――", size=8)
    _center(left, snapshot["number_label"])
    _font(right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), size=12, bold=True)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _center(right, "Độc lập - Tự do - Hạnh phúc", bold=True)
    _center(right, "――――――――――", size=8)
    if snapshot.get("place_date"):
        _center(right, snapshot["place_date"], italic=True)
    _para(doc, "", space_after=6)
    _center(doc, snapshot["title"], size=14, bold=True)
    _center(doc, snapshot["subject"], size=14, bold=True)
    _para(doc, "", space_after=6)


def _heading(doc, text):
    _para(doc, text, bold=True, space_after=4)


def _rich(doc, source: str):
    for block in richtext.parse(source):
        if block.kind == "ul":
            paragraph = _para(doc)
            paragraph.paragraph_format.left_indent = Cm(1)
            _font(paragraph.add_run("- "))
        elif block.kind == "ol":
            paragraph = _para(doc)
            paragraph.paragraph_format.left_indent = Cm(1)
            _font(paragraph.add_run(f"{block.number}. "))
        else:
            paragraph = _para(doc, indent=True)
        for run in block.runs:
            _font(paragraph.add_run(run.text), bold=run.bold, italic=run.italic)


def _table(doc, header: list[str], rows: list[list], *, size=12):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].text = ""
        _font(cell.paragraphs[0].add_run(str(text)), size=size, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    # Repeat the header row on every page, as the PDF does.
    table.rows[0]._tr.get_or_add_trPr().append(table.rows[0]._tr.makeelement(qn("w:tblHeader"), {}))
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.paragraphs[0].text = ""
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), size=size)
    _para(doc, "", space_after=2)
    return table


def _summary(doc, summary):
    header = ["TT", "Đơn vị"]
    for g in summary["groups"]:
        header += [f"{g['code']} tự chấm", f"{g['code']} thẩm định"]
    header += ["Tổng tự chấm", "Tổng thẩm định", "Xếp hạng"]
    rows = []
    for row in summary["rows"]:
        values = [row["number"], row["unit"]]
        for cell in row["groups"]:
            values += [cell["self"], cell["reviewed"]]
        rank = row["rank"] or ("Không đủ điều kiện" if not row["eligible"] else "Chưa chốt")
        values += [row["self_total"], row["reviewed_total"], rank]
        rows.append(values)
    _table(doc, header, rows, size=10)


def _round(doc, round_):
    for award in round_["awards"]:
        _para(
            doc,
            f"{award['award']} (bầu {award['seats']}; phiếu hợp lệ {award['valid']}, không hợp lệ {award['invalid']}; "
            f"đạt khi {award['threshold']}):",
        )
        rows = []
        for i, c in enumerate(award["candidates"], start=1):
            result = (
                "Trúng"
                if c["elected"]
                else "Bỏ phiếu lại"
                if c["runoff"]
                else "Đạt, không đủ suất"
                if c["passed"]
                else "Không đạt"
            )
            rows.append(
                [
                    i,
                    c["unit"],
                    c["rank"],
                    c["score"],
                    f"{c['approvals']}/{award['basis']}",
                    f"{c['percent']}%",
                    result,
                ]
            )
        _table(doc, ["TT", "Đơn vị", "Xếp hạng", "Điểm", "Số phiếu đồng ý", "Tỷ lệ", "Kết quả"], rows)


def _signature(doc, snapshot):
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    if snapshot["kind"] in ("minutes", "count_minutes"):
        for cell, post, name in (
            (left, "THƯ KÝ", snapshot["minutes_signature"]["secretary"]),
            (right, "CHỦ TỌA", snapshot["minutes_signature"]["chair"]),
        ):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(cell.paragraphs[0].add_run(post), bold=True)
            for _ in range(4):
                _center(cell, "")
            _center(cell, name, bold=True)
        return
    left.paragraphs[0].text = ""
    _font(left.paragraphs[0].add_run("Nơi nhận:"), size=12, bold=True, italic=True)
    recipients = snapshot["recipients"]
    for i, r in enumerate(recipients):
        _para(
            left,
            f"- {r}{'' if i == len(recipients) - 1 else ';'}",
            size=11,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            space_after=0,
        )
    signature = snapshot["signature"]
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(right.paragraphs[0].add_run(signature["on_behalf"]), bold=True)
    _center(right, signature["post"], bold=True)
    if signature.get("unit_post"):
        _center(right, signature["unit_post"], size=11, bold=True)
    for _ in range(4):
        _center(right, "")
    _center(right, signature["name"], bold=True)


def _report(doc, s):
    year = s["year"]
    _heading(doc, f"I. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA NĂM {year}")
    _heading(doc, "1. Khối thi đua và các đơn vị thành viên")
    deputy = f", Khối phó là {s['deputy']}" if s["deputy"] else ""
    _para(
        doc,
        f"{s['bloc_name']} năm {year} gồm {s['member_count']} đơn vị thành viên; Khối trưởng là {s['head']}{deputy}.",
        indent=True,
    )
    for i, m in enumerate(s["members"], start=1):
        role = f" ({m['role']})" if m["role_code"] != "member" else ""
        _para(doc, f"{i}. {m['name']}{role}")
    _heading(doc, "2. Phát động phong trào và ký kết giao ước thi đua")
    covenant = s["covenant"]
    text = f"{covenant['registered']}/{s['member_count']} đơn vị đăng ký thi đua"
    if covenant["signed_on"]:
        text += f" và ký kết giao ước thi đua {covenant['signed_on']} tại {covenant['place']}"
    _para(
        doc,
        f"{text}. Có {s['carried_out']} đơn vị đã phát động và triển khai tốt phong trào thi đua.",
        indent=True,
    )
    _heading(doc, "3. Kết quả chấm điểm của các đơn vị")
    rows = [
        [
            r["number"],
            r["unit"],
            r["self_total"],
            r["reviewed_total"],
            r["rank"] or ("Không đủ điều kiện" if not r["eligible"] else "Chưa chốt"),
        ]
        for r in s["summary"]["rows"]
    ]
    _table(doc, ["TT", "Đơn vị", "Điểm tự chấm", "Điểm thẩm định", "Xếp hạng"], rows)
    sections = s["narrative"]["sections"]
    for number, key in ((4, "strengths"), (5, "limitations"), (6, "lessons")):
        _heading(doc, f"{number}. {sections[key]['label']}")
        _rich(doc, sections[key]["source"])
    _heading(doc, "7. Bình xét, đề nghị khen thưởng")
    for n in s["nominations"]:
        _para(
            doc,
            f"- {n['award']}: {n['unit']} ({n['score']} điểm, {n['approvals']}/{n['basis']} phiếu đồng ý).",
        )
    _heading(doc, f"II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {year + 1}")
    if s["next_year"]:
        _para(
            doc,
            f"Năm {s['next_year']['year']}, Khối trưởng là {s['next_year']['head']}, Khối phó là {s['next_year']['deputy']}.",
            indent=True,
        )
    _rich(doc, sections["direction"]["source"])
    _heading(doc, "III. ĐỀ XUẤT, KIẾN NGHỊ")
    _rich(doc, sections["proposals"]["source"])
    _heading(doc, "PHỤ LỤC: BẢNG TỔNG HỢP ĐIỂM")
    _summary(doc, s["summary"])
    for round_ in s["rounds"]:
        _para(
            doc,
            f"Kết quả bỏ phiếu vòng {round_['number']}: có mặt {round_['present']}/{round_['members']} đơn vị.",
        )
        _round(doc, round_)


def _minutes(doc, s):
    _para(
        doc,
        f"{s['held']}, tại {s['place']}, {s['bloc_name']} tổ chức Hội nghị tổng kết công tác thi đua năm {s['year']}.",
        indent=True,
    )
    _heading(doc, "I. THÀNH PHẦN THAM DỰ")
    _para(doc, f"Chủ tọa: {s['chair']}.", indent=True)
    _para(doc, f"Thư ký: {s['secretary']}.", indent=True)
    for guest in s["guests"]:
        _para(doc, f"- Khách mời: {guest}")
    _para(doc, f"Đại biểu các đơn vị thành viên ({s['present_count']} đơn vị có mặt):")
    for i, p in enumerate(s["present"], start=1):
        _para(doc, f"{i}. {p['unit']}: {p['delegate']}")
    _heading(doc, "II. NỘI DUNG")
    adopted = "thống nhất thông qua báo cáo" if s["report_adopted"] else "chưa thông qua báo cáo"
    _para(
        doc,
        f"1. Hội nghị nghe dự thảo Báo cáo tổng kết công tác thi đua năm {s['year']}; {adopted}.",
        indent=True,
    )
    _para(doc, "2. Bình xét, bỏ phiếu kín đề nghị khen thưởng:", indent=True)
    for round_ in s["rounds"]:
        _para(
            doc,
            f"Vòng {round_['number']}: có mặt {round_['present']}/{round_['members']} đơn vị; phiếu phát ra {round_['issued']}, thu về {round_['returned']}.",
        )
        _round(doc, round_)
    if s["handover"]:
        _para(
            doc,
            f"3. Bàn giao nhiệm vụ Khối trưởng: {s['handover']['from']} bàn giao cho {s['handover']['to']}.",
            indent=True,
        )
    ended = f" lúc {s['ended']}" if s["ended"] else ""
    _para(doc, f"Hội nghị kết thúc{ended} cùng ngày. Biên bản được thông qua tại hội nghị.", indent=True)


def _count_minutes(doc, s):
    r = s["round"]
    _para(
        doc,
        f"Hôm nay, {s['held']}, tại {s['place']}, Ban kiểm phiếu tiến hành kiểm phiếu bình xét khen thưởng, vòng {r['number']}.",
        indent=True,
    )
    _para(
        doc,
        f"Tổng số đơn vị thành viên: {r['members']}; có mặt: {r['present']}; có quyền bỏ phiếu: {r['entitled']}; "
        f"phiếu phát ra: {r['issued']}; phiếu thu về: {r['returned']}.",
        indent=True,
    )
    _round(doc, r)


def _request(doc, s):
    _center(doc, f"Kính gửi: {s['to']}")
    _center(doc, f"(qua {s['via']})")
    _para(doc, "")
    _para(doc, "Căn cứ:")
    for basis in s["basis"]:
        _para(doc, f"- {basis};")
    _para(
        doc,
        f"{s['bloc_name']} ({s['member_count']} đơn vị thành viên) kính đề nghị xem xét khen thưởng các tập thể sau:",
        indent=True,
    )
    rows = [
        [i, n["award"], n["unit"], n["score"], n["rank"], f"{n['approvals']}/{n['basis']}"]
        for i, n in enumerate(s["nominations"], start=1)
    ]
    _table(
        doc, ["TT", "Hình thức khen thưởng", "Đơn vị", "Điểm thẩm định", "Xếp hạng", "Số phiếu đồng ý"], rows
    )
    _para(doc, "Hồ sơ kèm theo:")
    for a in s["attachments"]:
        _para(doc, f"- {a}.")
    _para(doc, "Kính trình Hội đồng Thi đua – Khen thưởng xem xét, quyết định./.", indent=True)


def _covenant(doc, s):
    _para(
        doc,
        f"Các đơn vị thành viên {s['bloc_name']} cùng ký kết giao ước thi đua năm {s['year']} ({s['signed']}):",
        indent=True,
    )
    for i, r in enumerate(s["registrations"], start=1):
        _heading(doc, f"{i}. {r['unit']}")
        _para(doc, r["targets"], indent=True)
        if r["titles"]:
            _para(doc, f"Danh hiệu đăng ký: {r['titles']}.", italic=True)


BODIES = {
    "report": _report,
    "minutes": _minutes,
    "count_minutes": _count_minutes,
    "request": _request,
    "score_table": lambda doc, s: _summary(doc, s["summary"]),
    "covenant": _covenant,
}


def build_docx(snapshot: dict) -> bytes:
    with translation.override("vi"):  # an official document is Vietnamese whatever the user's language
        return _build(snapshot)


def _build(snapshot: dict) -> bytes:
    doc = WordDocument()
    _setup(doc, snapshot)
    _header(doc, snapshot)
    BODIES[snapshot["kind"]](doc, snapshot)
    if snapshot["kind"] == "covenant":
        table = doc.add_table(rows=0, cols=2)
        _no_borders(table)
        for i in range(0, len(snapshot["signatories"]), 2):
            cells = table.add_row().cells
            for cell, signer in zip(cells, snapshot["signatories"][i : i + 2], strict=False):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(cell.paragraphs[0].add_run(signer["unit"]), size=11, bold=True)
                _center(cell, signer["post"], size=11, bold=True)
                for _ in range(3):
                    _center(cell, "")
                _center(cell, signer["name"], bold=True)
    else:
        _signature(doc, snapshot)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
