//! "Báo cáo kiểm điểm": the one review page, for a year, a quarter or a
//! date range, as of a day. Its paragraph is the one summary sentence; its
//! cards and tables are links to the tasks behind each number. `/report`
//! (the former annual report page) leads here; its .csv and .xlsx
//! downloads remain (`report::export`).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    domain::figure::Figure,
    reports::figures::{Group, period::PeriodKind},
    reports::review::{self, RawReviewQuery, Review},
};

use super::{
    Ctx, PageError, PageUser, ctx,
    figures::{self, Card, Links, Table},
    format::{self, Choice},
    letters::query_string,
    render,
};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    ctx: Ctx,
    review: Option<Review>,
    scope: String,
    cards: Vec<Card>,
    tables: Vec<Table>,
    paragraph: String,
    year: String,
    quarters: Vec<Choice>,
    from: String,
    to: String,
    as_of: String,
    export_query: String,
    /// The year's figures as CSV, for the same day (a whole year only).
    csv_link: String,
    /// Every task overdue more than 30 days (the table shows the oldest).
    overdue_old_link: String,
}

impl ReviewPage {
    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }

    fn kind_label(&self, k: &review::KindCount) -> String {
        k.kind.label(self.ctx.t.0)
    }
}

fn groups(g: &[Group]) -> Vec<figures::GroupRef<'_>> {
    g.iter().map(Into::into).collect()
}

fn tables(t: super::Tr, r: &Review, links: &Links) -> Vec<Table> {
    vec![
        figures::table(
            t,
            "department",
            t.get("by_department"),
            groups(&r.departments),
            &r.overall,
            links,
        ),
        figures::table(
            t,
            "field",
            t.get("by_field"),
            groups(&r.fields),
            &r.overall,
            links,
        ),
        figures::table(
            t,
            "leader",
            t.get("review_by_leader"),
            groups(&r.leaders),
            &r.overall,
            links,
        ),
    ]
}

fn quarter_choices(t: super::Tr, quarter: &str) -> Vec<Choice> {
    std::iter::once((String::new(), t.get("whole_year")))
        .chain((1..=4).map(|q| (q.to_string(), format!("{} {q}", t.get("quarter")))))
        .map(|(value, label)| Choice {
            selected: value == quarter,
            value,
            label,
        })
        .collect()
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RawReviewQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ReadReview, None)?;
    let mut page_ctx = ctx(&req, Some(user.clone()), "review");
    let t = page_ctx.t;
    let raw = query.into_inner();
    let computed = review::compute(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        &raw,
        state.due_soon_days(),
        &state.settings.letters.short_name,
    )
    .await;
    let r = page_ctx.flash_invalid(computed.map(Some), || None)?;
    let links = r.as_ref().map(|r| Links::new(&r.tasks_query, None));
    let tz = state.clock.timezone();
    let view = ReviewPage {
        scope: r
            .as_ref()
            .map(|r| figures::scope_of_query(t, &r.tasks_query, tz))
            .unwrap_or_default(),
        cards: match (&r, &links) {
            (Some(r), Some(links)) => figures::cards(t, &r.overall, links),
            _ => Vec::new(),
        },
        tables: match (&r, &links) {
            (Some(r), Some(links)) => tables(t, r, links),
            _ => Vec::new(),
        },
        paragraph: r
            .as_ref()
            .map(|r| review::paragraph(r, &state.settings.letters.short_name, t.0))
            .unwrap_or_default(),
        year: r
            .as_ref()
            .map(|r| r.period.year.to_string())
            .or(raw.year.clone())
            .unwrap_or_default(),
        quarters: quarter_choices(t, raw.quarter.as_deref().unwrap_or_default()),
        from: raw.from.clone().unwrap_or_default(),
        to: raw.to.clone().unwrap_or_default(),
        as_of: raw.as_of.clone().unwrap_or_default(),
        export_query: query_string(&[
            ("year", &raw.year),
            ("quarter", &raw.quarter),
            ("from", &raw.from),
            ("to", &raw.to),
            ("as_of", &raw.as_of),
        ]),
        csv_link: r
            .as_ref()
            .filter(|r| r.period.kind == PeriodKind::Year)
            .map(|r| {
                let as_of = r.as_of_query.clone();
                format!(
                    "/report/export.csv?{}",
                    query_string(&[
                        ("year", &Some(r.period.year.to_string())),
                        ("as_of", &as_of)
                    ])
                )
            })
            .unwrap_or_default(),
        overdue_old_link: links
            .as_ref()
            .map(|l| l.href(Figure::OverdueOver30Days))
            .unwrap_or_default(),
        review: r,
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}
