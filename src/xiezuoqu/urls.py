from django.urls import include, path

from xiezuoqu.api import api

urlpatterns = [
    path("", include("xiezuoqu.web.urls")),
    path("accounts/", include("xiezuoqu.accounts.urls")),
    path("org/", include("xiezuoqu.org.urls")),
    path("audit/", include("xiezuoqu.audit.urls")),
    path("approvals/", include("xiezuoqu.approvals.urls")),
    path("calendar/", include("xiezuoqu.workdays.urls")),
    path("rules/", include("xiezuoqu.rulebook.urls")),
    path("deadlines/", include("xiezuoqu.deadlines.urls")),
    path("intake/", include("xiezuoqu.intake.urls")),
    path("clues/", include("xiezuoqu.clues.urls")),
    path("recusal/", include("xiezuoqu.recusal.urls")),
    path("teams/", include("xiezuoqu.teams.urls")),
    path("verification/", include("xiezuoqu.verification.urls")),
    path("meetings/", include("xiezuoqu.meetings.urls")),
    path("filing/", include("xiezuoqu.filing.urls")),
    path("cases/", include("xiezuoqu.cases.urls")),
    path("sanctions/", include("xiezuoqu.sanctions.urls")),
    path("precedents/", include("xiezuoqu.precedents.urls")),
    path("clearing/", include("xiezuoqu.clearing.urls")),
    path("archive/", include("xiezuoqu.archive.urls")),
    path("inspections/", include("xiezuoqu.inspections.urls")),
    path("funds/", include("xiezuoqu.funds.urls")),
    path("screening/", include("xiezuoqu.screening.urls")),
    path("training/", include("xiezuoqu.training.urls")),
    path("statistics/", include("xiezuoqu.statistics.urls")),
    path("report/", include("xiezuoqu.public.urls")),
    path("api/v1/", api.urls),
]
handler400 = "xiezuoqu.web.uploads.bad_request"
handler500 = "xiezuoqu.web.middleware.server_error"
