"""The `hatangso` command line: Django management commands behind one entry point."""

import os
import sys

OVERVIEW = """\
hatangso — theo dõi kế hoạch phát triển hạ tầng số / digital infrastructure plan monitoring

Cách dùng / Usage: hatangso LỆNH/COMMAND [tùy chọn/options]

  demo [--no-serve] [--port N]        dữ liệu mẫu, tính chỉ tiêu, chạy web / demo data, compute, serve
  serve [--bind HOST:PORT] [--workers N] [--dev]   chạy ứng dụng web / serve the web app
  backup --out FILE [--with-secret-key]   sao lưu toàn bộ dữ liệu / back up all data
  restore FILE                        khôi phục vào thư mục trống / restore into an empty home
  plan load FILE                      nạp kế hoạch từ tệp YAML / load a plan file
  plan parse DOC [--out FILE]         đọc văn bản kế hoạch (TXT/DOCX/PDF) / read a plan document
  plan condition CODE --met|--not-met   ghi điều kiện (khi cấp tỉnh triển khai) / record a condition
  tasks list [--agency] [--overdue]   nhiệm vụ của kế hoạch / the plan's tasks
  remind [--send]                     nhắc việc quá hạn / overdue reminders
  plan list                           danh sách kế hoạch / list plans
  catalog list [--json]               danh mục chỉ tiêu / the national indicator catalog
  import admin-units FILE [...]       nhập danh mục ĐVHC (GSO) / import administrative units
  import crosswalk FILE [--effective DATE]   bảng chuyển đổi ĐVHC cũ → mới / old → new crosswalk
  import villages FILE                nhập thôn, tổ dân phố / import villages
  import values FILE                  nhập số liệu (CSV/XLSX, DHIS2 JSON/XML/CSV, ADX) / import data values
  dhis2 map KIND UID CODE | --file F  ánh xạ UID DHIS2 sang mã / map DHIS2 UIDs to our codes
  dhis2 maps                          các ánh xạ UID DHIS2 / the DHIS2 UID mappings
  import boundaries FILE [--on DATE]  ranh giới ĐVHC (GeoJSON) / unit boundaries
  import stations|opencellid FILE     trạm BTS / base stations (station list, OpenCelliD CSV)
  import poles|ducts|fibre FILE       cột, cống bể, cáp quang / poles, ducts, fibre routes
  import gov-links|zones FILE         kết nối TSLCD, khu công nghiệp / gov-network links, zones
  import roads FILE                   danh mục tuyến đường (VI.3.c) / roads list
  import speedtests FILE              đo tốc độ đường truyền cố định (bí danh: lines) / fixed-line
                                      speed samples (alias: lines)
  import population FILE [--on DATE]  điểm dân số / population points
  import ookla FILE [--period 2024Q3] ô đo tốc độ Ookla / Ookla open-data tiles
  import mlab FILE                    phép đo M-Lab NDT / M-Lab NDT tests
  coverage compute [--cell M] [--model rma|uma|cost231]   lưới vùng phủ di động / coverage grid
  coverage export --format geojson|csv [--out FILE]      xuất lưới vùng phủ / export the grid
  coverage villages [--kind mobile|fixed|all] [--period P]   thôn: khai báo khác tính toán /
                                      villages where declared and computed coverage disagree
  sites detect [--distance M]         gom trạm thành vị trí dùng chung / detect shared sites
  sites list [--all]                  vị trí dùng chung / list shared sites
  template FORM --period P --unit U   biểu Excel để điền / Excel template to fill
  export values --format csv|xlsx|dhis2-json|dhis2-xml|adx [--form F]   xuất số liệu / export values
  export dhis2-metadata --out FILE    siêu dữ liệu DHIS2 (phần tử, biểu, ĐVHC) / DHIS2 metadata
  completeness FORM --period P        tình hình nộp báo cáo / reporting completeness
  compute [--plan] [--period] [--unit] [--json]   tính chỉ tiêu / compute the scorecard
  publish --period P [--withdraw]     công bố kết quả cho người dân / publish (/cong-khai/<plan>/)
  report --format docx|pdf|xlsx --out FILE [--plan] [--period] [--unit] [--texts FILE]
                                      báo cáo kết quả thực hiện / the results report

Môi trường / Environment: HATANGSO_HOME, HATANGSO_DATABASE_URL, HATANGSO_SECRET_KEY
"hatangso LỆNH --help" cho chi tiết / for details. "hatangso help --commands" lists every command
(including Django's: migrate, createsuperuser, …).
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv == ["help"] or argv[0] in {"-h", "--help"}:
        print(OVERVIEW)
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hatangso.settings")
    try:
        import django

        django.setup()
    except Exception as exc:  # settings read the environment: say which variable is wrong
        print(
            f"Lỗi / Error: Cấu hình không hợp lệ ({exc}); kiểm tra HATANGSO_HOME, HATANGSO_DATABASE_URL "
            f"/ Invalid configuration; check HATANGSO_HOME and HATANGSO_DATABASE_URL",
            file=sys.stderr,
        )
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hatangso", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
