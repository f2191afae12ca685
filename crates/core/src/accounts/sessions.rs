//! Logging in and out, and turning a bearer token or session cookie back into
//! the user behind it. Only a SHA-256 of each token is stored; password
//! attempts for one account (or from one address) are throttled
//! (`accounts::throttle`).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, Set,
    sea_query::Expr,
};

use crate::{
    Clock,
    accounts::passwords,
    accounts::principal::{Principal, TokenKind},
    accounts::secrets::{random_token, token_hash},
    accounts::throttle,
    accounts::users::{self, UserView},
    config::AuthSettings,
    domain::{Language, Role},
    entity::{auth_token, department},
    error::{Error, Result},
};

#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The secret to hand to the client — shown once, stored only hashed.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub csrf_token: Option<String>,
    pub user: UserView,
}

/// Checks credentials and opens a token or session.
///
/// The error never says whether the username exists; an unknown username
/// costs the same argon2 verification as a wrong password.
pub async fn login(
    db: &crate::db::Db,
    clock: &Clock,
    settings: &AuthSettings,
    username: &str,
    password: &str,
    remote_addr: Option<&str>,
    kind: TokenKind,
) -> Result<LoginOutcome> {
    let username = username.trim().to_ascii_lowercase();
    let now = clock.now();
    // Counted before the password is checked, so parallel guesses share the limit.
    throttle::count_attempt(db, settings, &username, remote_addr, now).await?;

    let found = if username.is_empty() || username.len() > 64 {
        None
    } else {
        users::find_by_username(db, &username).await?
    };
    let stored_hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| passwords::dummy_hash().to_string());
    let password_owned = password.to_string();
    // argon2 is CPU-bound by design: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || {
        passwords::verify_password(&password_owned, &stored_hash)
    })
    .await
    .map_err(|err| Error::Unexpected(anyhow::anyhow!("password check failed: {err}")))?;

    let user = match found {
        Some(user) if matches && user.active => user,
        _ => {
            tracing::warn!(username = %username.chars().take(64).collect::<String>(), remote_addr = ?remote_addr, "failed login");
            return Err(Error::Unauthenticated);
        }
    };

    // A success clears the account's attempts and sweeps expired rows.
    throttle::clear(db, &username).await?;
    auth_token::Entity::delete_many()
        .filter(auth_token::Column::ExpiresAt.lt(now - Duration::days(7)))
        .exec(db)
        .await?;

    let ttl_hours = match kind {
        TokenKind::Api => settings.token_ttl_hours,
        TokenKind::Session => settings.session_ttl_hours,
    };
    let token = random_token();
    let csrf_token = Some(random_token());
    let expires_at = now + Duration::hours(i64::from(ttl_hours));
    auth_token::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user.id),
        kind: Set(kind.as_str().to_string()),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        last_used_at: Set(now),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(username = %user.username, kind = kind.as_str(), "login");

    let dept = match user.department_id {
        Some(id) => department::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(LoginOutcome {
        token,
        expires_at,
        csrf_token,
        user: users::view(&user, dept.as_ref()),
    })
}

/// The user behind a token, if the token is known, live and not revoked.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    token: &str,
) -> Result<Principal> {
    let token = token.trim();
    if token.is_empty() || token.len() > 256 {
        return Err(Error::Unauthenticated);
    }
    let now = clock.now();
    // One round trip per request: the token, its user and the department.
    let Some(row) = TokenRow::find_by_statement(crate::db::statement(
        db,
        "SELECT t.id AS token_id, t.kind AS kind, t.csrf_token AS csrf_token, \
                t.expires_at AS expires_at, t.last_used_at AS last_used_at, \
                t.revoked_at AS revoked_at, u.id AS user_id, u.username AS username, \
                u.full_name AS full_name, u.role AS role, u.department_id AS department_id, \
                u.active AS active, u.must_change_password AS must_change_password, \
                u.language AS language, d.code AS department_code, \
                d.name AS department_name \
         FROM auth_tokens t JOIN users u ON u.id = t.user_id \
         LEFT JOIN departments d ON d.id = u.department_id \
         WHERE t.token_hash = ?",
        vec![token_hash(token).into()],
    ))
    .one(db)
    .await?
    else {
        return Err(Error::Unauthenticated);
    };
    if row.revoked_at.is_some() || row.expires_at <= now || !row.active {
        return Err(Error::Unauthenticated);
    }
    // Record use at most every five minutes: a write per request would
    // serialise every reader on SQLite for no one's benefit.
    if now - row.last_used_at > Duration::minutes(5) {
        auth_token::Entity::update_many()
            .col_expr(auth_token::Column::LastUsedAt, Expr::value(now))
            .filter(auth_token::Column::Id.eq(row.token_id))
            .exec(db)
            .await?;
    }
    Ok(Principal {
        user_id: row.user_id,
        username: row.username,
        full_name: row.full_name,
        role: row.role,
        department_id: row.department_id,
        department_code: row.department_code,
        department_name: row.department_name,
        language: row.language,
        token_id: row.token_id,
        token_kind: if row.kind == "session" {
            TokenKind::Session
        } else {
            TokenKind::Api
        },
        csrf_token: row.csrf_token,
        must_change_password: row.must_change_password,
    })
}

#[derive(Debug, FromQueryResult)]
struct TokenRow {
    token_id: i64,
    kind: String,
    csrf_token: Option<String>,
    expires_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    user_id: i64,
    username: String,
    full_name: String,
    role: Role,
    department_id: Option<i64>,
    active: bool,
    must_change_password: bool,
    department_code: Option<String>,
    department_name: Option<String>,
    language: Language,
}

/// Revokes one token or session.
pub async fn logout<C: ConnectionTrait>(db: &C, clock: &Clock, token_id: i64) -> Result<()> {
    auth_token::Entity::update_many()
        .col_expr(
            auth_token::Column::RevokedAt,
            Expr::value(Some(clock.now())),
        )
        .filter(auth_token::Column::Id.eq(token_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every token and session of a user (password change, deactivation).
pub async fn logout_everywhere<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    user_id: i64,
) -> Result<()> {
    auth_token::Entity::update_many()
        .col_expr(
            auth_token::Column::RevokedAt,
            Expr::value(Some(clock.now())),
        )
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
