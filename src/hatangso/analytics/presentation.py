"""How statuses are named and coloured wherever a scorecard is shown (DESIGN.md §3 ratings)."""

STATUS_LABELS = {
    "achieved": "Hoàn thành",
    "not_achieved": "Chưa hoàn thành",
    "no_data": "Chưa có thông tin",
    "not_applicable": "Không thực hiện",
}
STATUS_STYLES = {
    "achieved": "green",
    "not_achieved": "red",
    "no_data": "yellow",
    "not_applicable": "dim",
}
