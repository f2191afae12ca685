//! Documents (văn bản): recorded with their number, kind, title, date and
//! signer, and linked to tasks as assigning (`assigns`) or reminding
//! (`reminds`) them. A reminder document counts on every task it links.

pub mod docx;
pub mod letters;
pub mod register;

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, Query},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db::{self, Db},
    domain::{DocumentKind, DocumentNumber, LinkRelation, Title, parse_date},
    entity::{document, document_task, task},
    error::{Error, FieldError, Result},
    messages::{Lang, Msg},
    org::departments::collect,
    tasks::history::{self, Change, action},
    tasks::{
        Page,
        query::{Involvement, involvement_condition, parse_paging},
    },
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentLinkView {
    pub task_id: i64,
    pub task_code: String,
    pub task_title: String,
    pub relation: LinkRelation,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub number: String,
    pub kind: DocumentKind,
    pub kind_name: String,
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    pub signer: String,
    /// Reminder documents: the day the departments must report back by.
    #[schema(value_type = Option<String>, format = Date)]
    pub report_back_on: Option<NaiveDate>,
    pub links: Vec<DocumentLinkView>,
}

/// Query parameters of `GET /api/v1/documents`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawDocumentQuery {
    /// Document kind, e.g. `official_letter`.
    pub kind: Option<String>,
    /// Year the document was issued.
    pub year: Option<String>,
    /// Only documents linked to this task.
    pub task_id: Option<String>,
    /// `assigns` or `reminds`: only documents linked with this relation.
    pub relation: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A link in a new document.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub task_id: i64,
    pub relation: String,
}

#[derive(Debug, Clone)]
pub struct NewDocument {
    pub number: String,
    pub kind: String,
    pub title: String,
    pub issued_on: String,
    pub signer: String,
    pub links: Vec<NewLink>,
    /// Reminder documents: the day the departments must report back by.
    pub report_back_on: Option<NaiveDate>,
}

/// Records a document and links it to tasks, writing a history entry on
/// each linked task, all in one transaction.
pub async fn create(db: &Db, clock: &Clock, user: &Principal, input: NewDocument) -> Result<i64> {
    policy::require(user, Action::RecordDocument, None)?;
    let txn = db::begin_write(db).await?;
    let id = create_in(&txn, clock, user, input).await?;
    txn.commit().await?;
    Ok(id)
}

/// `create` with the report-back day as a person typed it into the page
/// (`YYYY-MM-DD` from a date picker or dd/mm/yyyy; empty for none): a day
/// that is not one is named together with the other fields' faults.
pub async fn create_with_typed_report_back(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    mut input: NewDocument,
    report_back_on: &str,
) -> Result<i64> {
    policy::require(user, Action::RecordDocument, None)?;
    let mut errors: Vec<FieldError> = Vec::new();
    input.report_back_on = match report_back_on.trim() {
        "" => None,
        text => collect(&mut errors, parse_date("report_back_on", text)),
    };
    let txn = db::begin_write(db).await?;
    let id = create_checked(&txn, clock, user, input, errors).await?;
    txn.commit().await?;
    Ok(id)
}

/// `create` inside a transaction the caller holds (and commits), so a
/// document can be recorded together with other writes in one step.
pub async fn create_in(
    txn: &DatabaseTransaction,
    clock: &Clock,
    user: &Principal,
    input: NewDocument,
) -> Result<i64> {
    create_checked(txn, clock, user, input, Vec::new()).await
}

/// `create_in`, with the faults the caller already found (`errors`)
/// named together with those of the fields checked here.
// Longer than 100 lines: every field and link checked before anything is written, so a refusal names all faults; then one insert and its links.
async fn create_checked(
    txn: &DatabaseTransaction,
    clock: &Clock,
    user: &Principal,
    input: NewDocument,
    mut errors: Vec<FieldError>,
) -> Result<i64> {
    policy::require(user, Action::RecordDocument, None)?;
    let number = collect(&mut errors, DocumentNumber::parse("number", &input.number));
    let kind = collect(&mut errors, input.kind.parse::<DocumentKind>());
    let title = collect(&mut errors, Title::parse("title", &input.title, 1000));
    let issued_on = collect(&mut errors, parse_date("issued_on", &input.issued_on));
    let signer = collect(&mut errors, Title::parse("signer", &input.signer, 120));
    if let Some(day) = issued_on
        && day > clock.today()
    {
        errors.push(FieldError::new(
            "issued_on",
            "in_future",
            Msg::IssuedInFuture,
        ));
    }
    if input.links.len() > 500 {
        errors.push(FieldError::new("links", "too_many", Msg::TooManyLinks));
    }
    if let (Some(back), Some(issued)) = (input.report_back_on, issued_on)
        && back < issued
    {
        errors.push(FieldError::new(
            "report_back_on",
            "before_issue",
            Msg::ReportBackBeforeIssue,
        ));
    }
    let mut links: Vec<(task::Model, LinkRelation)> = Vec::new();
    for (i, link) in input.links.iter().enumerate() {
        let relation = collect(
            &mut errors,
            link.relation.parse::<LinkRelation>().map_err(|_| {
                Error::field(
                    format!("links[{i}].relation"),
                    "invalid_choice",
                    Msg::InvalidRelation,
                )
            }),
        );
        match task::Entity::find_by_id(link.task_id).one(txn).await? {
            Some(t) => {
                if let Some(relation) = relation
                    && !links.iter().any(|(x, r)| x.id == t.id && *r == relation)
                {
                    links.push((t, relation));
                }
            }
            None => errors.push(FieldError::new(
                format!("links[{i}].task_id"),
                "unknown",
                Msg::UnknownTask { id: link.task_id },
            )),
        }
    }
    let (Some(number), Some(kind), Some(title), Some(issued_on), Some(signer)) =
        (number, kind, title, issued_on, signer)
    else {
        return Err(Error::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let now = clock.now();
    let model = document::ActiveModel {
        number: Set(number.into_inner()),
        kind: Set(kind),
        title: Set(title.into_inner()),
        issued_on: Set(issued_on),
        signer: Set(signer.into_inner()),
        report_back_on: Set(input.report_back_on),
        created_by: Set(Some(user.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    // Reminder documents count in the figures: say they changed.
    crate::tasks::states::bump_documents(txn).await?;
    for (t, relation) in &links {
        document_task::ActiveModel {
            document_id: Set(model.id),
            task_id: Set(t.id),
            relation: Set(*relation),
            linked_at: Set(Some(now)),
        }
        .insert(txn)
        .await?;
        let label = match relation {
            LinkRelation::Reminds => "Văn bản đôn đốc",
            LinkRelation::Assigns => "Văn bản giao nhiệm vụ",
        };
        history::record(
            txn,
            now,
            Change::new(t.id, Some(user.user_id), action::DOCUMENT_LINKED).note(format!(
                "{label} số {} ngày {}: {}",
                model.number,
                model.issued_on.format("%d/%m/%Y"),
                model.title
            )),
        )
        .await?;
    }
    Ok(model.id)
}

/// The `year` of a document query; a bad one is added to `errors`.
fn year_param(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<i32> {
    match raw.map(str::trim).filter(|y| !y.is_empty()) {
        Some(text) => match text
            .parse::<i64>()
            .ok()
            .and_then(|y| crate::domain::parse_year("year", y).ok())
        {
            Some(y) => Some(y),
            None => {
                errors.push(FieldError::new(
                    "year",
                    "invalid_year",
                    Msg::InvalidYear {
                        value: text.to_string(),
                    },
                ));
                None
            }
        },
        None => None,
    }
}

/// The `task_id` of a document query; a bad one is added to `errors`.
fn task_id_param(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<i64> {
    match raw.map(str::trim).filter(|y| !y.is_empty()) {
        Some(text) => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(
                    "task_id",
                    "invalid_number",
                    Msg::TaskIdNotNumber,
                ));
                None
            }
        },
        None => None,
    }
}

/// The visibility rule of documents for staff, on a query of
/// `document_task` links: only links to a task `dept` leads or coordinates.
/// The list and every count of documents use it, so a page never shows a
/// figure the list would not back.
fn only_linked_to_tasks_of(links: &mut sea_orm::sea_query::SelectStatement, dept: i64) {
    links.and_where(
        Expr::col((document_task::Entity, document_task::Column::TaskId)).in_subquery(
            Query::select()
                .column((task::Entity, task::Column::Id))
                .from(task::Entity)
                .cond_where(involvement_condition(dept, Involvement::Any))
                .to_owned(),
        ),
    );
}

/// Documents visible to `user`, filtered, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawDocumentQuery,
) -> Result<Page<DocumentView>> {
    let mut errors = Vec::new();
    let (page, per_page) =
        collect(&mut errors, parse_paging(&raw.page, &raw.per_page)).unwrap_or((1, 50));
    let kind = collect(
        &mut errors,
        raw.kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::parse::<DocumentKind>)
            .transpose(),
    )
    .flatten();
    let relation = collect(
        &mut errors,
        raw.relation
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::parse::<LinkRelation>)
            .transpose(),
    )
    .flatten();
    let year = year_param(raw.year.as_deref(), &mut errors);
    let task_id = task_id_param(raw.task_id.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }

    let mut cond = Condition::all();
    if let Some(kind) = kind {
        cond = cond.add(document::Column::Kind.eq(kind));
    }
    if let Some(year) = year {
        let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
        cond = cond.add(document::Column::IssuedOn.between(from, to));
    }
    // Which links qualify: to this task, with this relation, and (for staff)
    // to a task their department leads or coordinates.
    let visible = policy::visible_department(user);
    if task_id.is_some() || relation.is_some() || visible.is_some() {
        let mut links = Query::select();
        links
            .column((document_task::Entity, document_task::Column::DocumentId))
            .from(document_task::Entity);
        if let Some(id) = task_id {
            links.and_where(
                Expr::col((document_task::Entity, document_task::Column::TaskId)).eq(id),
            );
        }
        if let Some(rel) = relation {
            links.and_where(
                Expr::col((document_task::Entity, document_task::Column::Relation))
                    .eq(rel.as_str()),
            );
        }
        if let Some(dept) = visible {
            only_linked_to_tasks_of(&mut links, dept);
        }
        cond = cond.add(document::Column::Id.in_subquery(links.to_owned()));
    }
    let base = document::Entity::find().filter(cond);
    let total = base.clone().count(db).await?;
    let rows = base
        .order_by_desc(document::Column::IssuedOn)
        .order_by_desc(document::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let items = views(db, rows, visible).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// One document (staff: only if linked to a task they may see).
pub async fn get<C: ConnectionTrait>(db: &C, user: &Principal, id: i64) -> Result<DocumentView> {
    let Some(model) = document::Entity::find_by_id(id).one(db).await? else {
        return Err(Error::NotFound(Msg::NotFoundDocument { id }));
    };
    let visible = policy::visible_department(user);
    let mut list = views(db, vec![model], visible).await?;
    let view = list
        .pop()
        .ok_or_else(|| Error::NotFound(Msg::NotFoundDocument { id }))?;
    if visible.is_some() && view.links.is_empty() {
        return Err(Error::Forbidden(policy::describe(Action::ReadTask)));
    }
    Ok(view)
}

/// Documents linked to one task, with their relation.
pub async fn for_task<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
) -> Result<Vec<(DocumentView, LinkRelation)>> {
    let links = document_task::Entity::find()
        .filter(document_task::Column::TaskId.eq(task_id))
        .all(db)
        .await?;
    let ids: Vec<i64> = links.iter().map(|l| l.document_id).collect();
    let docs = document::Entity::find()
        .filter(document::Column::Id.is_in(ids))
        .order_by_asc(document::Column::IssuedOn)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for d in docs {
        for l in links.iter().filter(|l| l.document_id == d.id) {
            out.push((
                DocumentView {
                    id: d.id,
                    number: d.number.clone(),
                    kind: d.kind,
                    kind_name: d.kind.label(Lang::Vi).to_string(),
                    title: d.title.clone(),
                    issued_on: d.issued_on,
                    signer: d.signer.clone(),
                    report_back_on: d.report_back_on,
                    links: Vec::new(),
                },
                l.relation,
            ));
        }
    }
    Ok(out)
}

async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<document::Model>,
    visible: Option<i64>,
) -> Result<Vec<DocumentView>> {
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let links = if ids.is_empty() {
        Vec::new()
    } else {
        document_task::Entity::find()
            .filter(document_task::Column::DocumentId.is_in(ids))
            .all(db)
            .await?
    };
    let mut task_ids: Vec<i64> = links.iter().map(|l| l.task_id).collect();
    task_ids.sort_unstable();
    task_ids.dedup();
    let mut task_query = task::Entity::find()
        .select_only()
        .column(task::Column::Id)
        .column(task::Column::Code)
        .column(task::Column::Title)
        .filter(task::Column::Id.is_in(task_ids));
    if let Some(dept) = visible {
        task_query = task_query.filter(involvement_condition(dept, Involvement::Any));
    }
    let tasks: HashMap<i64, (String, String)> = task_query
        .into_tuple::<(i64, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, code, title)| (id, (code, title)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|d| DocumentView {
            links: links
                .iter()
                .filter(|l| l.document_id == d.id)
                .filter_map(|l| {
                    tasks.get(&l.task_id).map(|(code, title)| DocumentLinkView {
                        task_id: l.task_id,
                        task_code: code.clone(),
                        task_title: title.clone(),
                        relation: l.relation,
                    })
                })
                .collect(),
            id: d.id,
            number: d.number,
            kind_name: d.kind.label(Lang::Vi).to_string(),
            kind: d.kind,
            title: d.title,
            issued_on: d.issued_on,
            signer: d.signer,
            report_back_on: d.report_back_on,
        })
        .collect())
}
