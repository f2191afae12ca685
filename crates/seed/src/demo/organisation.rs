//! The district's departments and the demo's accounts: one admin (in the
//! office), the leaders, and one staff member per department.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use dondoc_core::{
    Settings,
    accounts::passwords,
    domain::Role,
    entity::{department, user},
    error::{Error, Result},
};

use super::data::{DemoAccount, DemoData};

/// The accounts' ids, for the tasks and documents that name them.
pub(super) struct People {
    pub(super) admin: i64,
    /// Leader ids by username.
    pub(super) leaders: HashMap<String, i64>,
    /// Staff ids by department code.
    pub(super) staff: HashMap<String, i64>,
}

/// Inserts the departments; returns their ids by code.
pub(super) async fn departments<C: ConnectionTrait>(
    txn: &C,
    data: &DemoData,
    now: DateTime<Utc>,
) -> Result<HashMap<String, i64>> {
    let mut ids = HashMap::new();
    for d in &data.departments {
        let model = department::ActiveModel {
            code: Set(d.code.clone()),
            name: Set(d.name.clone()),
            kind: Set(d.kind),
            email: Set(Some(d.email.clone())),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        ids.insert(d.code.clone(), model.id);
    }
    Ok(ids)
}

/// The id of the department with `code` in `ids`.
pub(super) fn department_id(ids: &HashMap<String, i64>, code: &str) -> Result<i64> {
    ids.get(code).copied().ok_or_else(|| {
        Error::Unexpected(anyhow::anyhow!("demo data names unknown department {code}"))
    })
}

/// Inserts the accounts, with the passwords of the `demo` configuration;
/// returns their ids and the list printed after seeding.
pub(super) async fn accounts<C: ConnectionTrait>(
    txn: &C,
    data: &DemoData,
    settings: &Settings,
    departments: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<(People, Vec<DemoAccount>)> {
    let demo = &settings.demo;
    let mut accounts = Vec::new();
    // Hash each password once: argon2 is deliberately slow.
    let admin_hash = passwords::hash_password(&demo.admin_password)?;
    let leader_hash = passwords::hash_password(&demo.leader_password)?;
    let staff_hash = passwords::hash_password(&demo.staff_password)?;
    let admin = Account {
        username: "admin",
        full_name: "Quản trị hệ thống",
        email: "admin@bactanuyen.example",
        position: Some("Quản trị hệ thống, Văn phòng HĐND và UBND"),
        role: Role::Admin,
        department: Some(department_id(departments, "VP")?),
    }
    .insert(txn, &admin_hash, now)
    .await?;
    accounts.push(DemoAccount {
        username: admin.username.clone(),
        role: Role::Admin,
        label: admin.full_name.clone(),
        password: demo.admin_password.clone(),
    });
    let mut leaders = HashMap::new();
    for l in &data.leaders {
        let model = Account {
            username: &l.username,
            full_name: &l.full_name,
            email: &l.email,
            position: Some(&l.position),
            role: Role::Leader,
            department: None,
        }
        .insert(txn, &leader_hash, now)
        .await?;
        leaders.insert(l.username.clone(), model.id);
        accounts.push(DemoAccount {
            username: l.username.clone(),
            role: Role::Leader,
            label: format!("{} – {}", l.full_name, l.position),
            password: demo.leader_password.clone(),
        });
    }
    let mut staff = HashMap::new();
    for d in &data.departments {
        let username = format!("cb.{}", d.code.to_ascii_lowercase());
        let model = Account {
            username: &username,
            full_name: &format!("Cán bộ {}", d.name),
            email: &format!("{username}@bactanuyen.example"),
            position: Some("Chuyên viên"),
            role: Role::Staff,
            department: Some(department_id(departments, &d.code)?),
        }
        .insert(txn, &staff_hash, now)
        .await?;
        staff.insert(d.code.clone(), model.id);
        accounts.push(DemoAccount {
            username,
            role: Role::Staff,
            label: d.name.clone(),
            password: demo.staff_password.clone(),
        });
    }
    let people = People {
        admin: admin.id,
        leaders,
        staff,
    };
    Ok((people, accounts))
}

/// One demo account: active, and not asked to change its password (the
/// demo's passwords are printed for people trying the product).
struct Account<'a> {
    username: &'a str,
    full_name: &'a str,
    email: &'a str,
    position: Option<&'a str>,
    role: Role,
    department: Option<i64>,
}

impl Account<'_> {
    async fn insert<C: ConnectionTrait>(
        self,
        txn: &C,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<user::Model> {
        let model = user::ActiveModel {
            username: Set(self.username.to_string()),
            full_name: Set(self.full_name.to_string()),
            email: Set(Some(self.email.to_string())),
            position: Set(self.position.map(str::to_string)),
            role: Set(self.role),
            department_id: Set(self.department),
            password_hash: Set(hash.to_string()),
            active: Set(true),
            must_change_password: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(model)
    }
}
