"""Every URL of the app (tests/web/test_permissions.py walks this list)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from teamquota.web.comp import api as json_api
from teamquota.web.comp.views import (
    account,
    api,
    auth,
    dashboard,
    disputes,
    estimator,
    imports,
    insights,
    insights_allocate,
    insights_simulate,
    letters,
    org,
    periods,
    plans,
    runs,
    statement,
    users,
)

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("teams/", dashboard.team_list, name="teams"),
    path("teams/<str:team_id>/", dashboard.team_dashboard, name="team"),
    path("teams/<str:team_id>/insights/", insights.team_insights_page, name="team_insights"),
    path("teams/<str:team_id>/conflicts/", insights.team_conflicts_page,
         name="team_conflicts"),
    path("teams/<str:team_id>/ratings/", insights.team_rating_record, name="team_rating"),
    path("teams/<str:team_id>/ratings/<int:rating_id>/delete/", insights.team_rating_delete,
         name="team_rating_delete"),
    path("teams/<str:team_id>/allocate/", insights_allocate.team_allocate_page,
         name="team_allocate"),
    path("teams/<str:team_id>/simulate/", insights_simulate.team_simulate_page,
         name="team_simulate"),
    path("statements/", statement.statement_list, name="statements"),
    path("statements/<str:payee_id>/", statement.statement, name="statement"),
    path("estimator/", estimator.estimator, name="estimator"),
    path("periods/", periods.period_list, name="periods"),
    path("periods/<str:label>/", periods.period_detail, name="period"),
    path("periods/<str:label>/review/<str:team_id>/", periods.period_review,
         name="period_review"),
    path("periods/<str:label>/approve/", periods.period_approve, name="period_approve"),
    path("periods/<str:label>/lock/", periods.period_lock, name="period_lock"),
    path("periods/<str:label>/payroll.csv", periods.payroll_export, name="payroll"),
    path("audit/", periods.audit_log, name="audit"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_edit, name="plan_new"),
    path("plans/<str:plan_id>/", plans.plan_detail, name="plan"),
    path("plans/<str:plan_id>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<str:plan_id>/assign/", plans.plan_assign, name="plan_assign"),
    path("runs/", runs.run_list, name="runs"),
    path("runs/start/", runs.run_start, name="run_start"),
    path("runs/compare/", runs.run_compare, name="run_compare"),
    path("runs/<int:run_id>/", runs.run_detail, name="run"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/upload/", imports.import_upload, name="import_upload"),
    path("imports/staged/<str:key>/", imports.import_preview, name="import_preview"),
    path("imports/staged/<str:key>/apply/", imports.import_apply, name="import_apply"),
    path("imports/<int:import_id>/", imports.import_detail, name="import"),
    path("imports/<int:import_id>/rejects.csv", imports.import_rejects, name="import_rejects"),
    path("lines/<int:line_id>/dispute/", disputes.dispute_raise, name="dispute_raise"),
    path("disputes/", disputes.dispute_list, name="disputes"),
    path("disputes/<int:dispute_id>/", disputes.dispute_detail, name="dispute"),
    path("disputes/<int:dispute_id>/adjust/", disputes.dispute_adjust, name="dispute_adjust"),
    path("org/", org.org_list, name="org"),
    path("org/teams/<str:team_id>/", org.org_team, name="org_team"),
    path("org/teams/<str:team_id>/add/", org.membership_add, name="membership_add"),
    path("org/teams/<str:team_id>/move/", org.membership_move, name="membership_move"),
    path("org/memberships/<int:membership_id>/end/", org.membership_end,
         name="membership_end"),
    path("org/teams/<str:team_id>/targets/", org.target_set, name="target_set"),
    path("users/", users.user_list, name="users"),
    path("users/<int:user_id>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("users/<int:user_id>/password/", account.password_reset, name="user_password_reset"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/tokens/", api.api_tokens, name="api_tokens"),
    # --- close workbench ---
    # --- end close workbench ---
    # --- plan letters and statement downloads ---
    path("letters/", letters.letter_list, name="letters"),
    # --- end plan letters and statement downloads ---
    # --- notifications ---
    # --- end notifications ---
    # --- rep and leader views ---
    # --- end rep and leader views ---
    # the JSON API (teamquota.web.comp.api): api_openapi, then one pattern per operation
    *json_api.urlpatterns,
]
