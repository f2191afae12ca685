//! Who signs a letter, and the block above their name. The signer is one of
//! the active leaders' accounts, chosen when drafting; by default the
//! leader in charge of most of the letter's tasks, else the head (the
//! leader whose position starts with `letters.head_title`). The head signs
//! "TM. <issuing body's first line>" / "CHỦ TỊCH"; a deputy signs
//! "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" (Nghị định 30/2020/NĐ-CP).

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    config::LetterSettings,
    domain::{Role, text::fold},
    entity::user,
    error::{Error, Result},
    messages::Msg,
};

/// A leader who may sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Signer {
    #[serde(skip)]
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub position: String,
    /// Signs as the head ("TM. …"), not as a deputy ("KT. …").
    pub head: bool,
    /// The default signer of the letter asked about.
    pub default: bool,
}

/// The lines of a signature block, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SignatureBlock {
    /// "TM. ỦY BAN NHÂN DÂN" or "KT. CHỦ TỊCH".
    pub authority: String,
    /// A line under the authority (only in the configured fallback block).
    pub deputy: String,
    /// "CHỦ TỊCH" or "PHÓ CHỦ TỊCH".
    pub title: String,
    /// The signer's name (empty leaves the line).
    pub name: String,
    /// The signer's username, when a leader's account signs.
    pub username: Option<String>,
}

fn is_head(position: &str, settings: &LetterSettings) -> bool {
    let position = fold(position);
    let head = fold(&settings.head_title);
    let deputy = fold(&settings.deputy_title);
    !head.is_empty()
        && (position == head || position.starts_with(&format!("{head} ")))
        && !(position == deputy || position.starts_with(&format!("{deputy} ")))
}

/// The active leaders, the head first, then by name.
pub async fn signers<C: ConnectionTrait>(db: &C, settings: &LetterSettings) -> Result<Vec<Signer>> {
    let mut all: Vec<Signer> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Leader)
        .map(|u| {
            let position = u.position.unwrap_or_default();
            Signer {
                id: u.id,
                head: is_head(&position, settings),
                username: u.username,
                full_name: u.full_name,
                position,
                default: false,
            }
        })
        .collect();
    all.sort_by(|a, b| {
        b.head
            .cmp(&a.head)
            .then_with(|| fold(&a.full_name).cmp(&fold(&b.full_name)))
    });
    Ok(all)
}

/// The default signer among `signers` for tasks whose leaders in charge
/// are `in_charge` (usernames, one per task): the one in charge of most,
/// else the head.
pub fn default_signer(signers: &[Signer], in_charge: &[i64]) -> Option<usize> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for id in in_charge {
        *counts.entry(*id).or_default() += 1;
    }
    signers
        .iter()
        .enumerate()
        .filter_map(|(i, s)| counts.get(&s.id).map(|n| (*n, (i, s))))
        // Most tasks; on a tie the head, then the list's order.
        .max_by(|(n1, (_, s1)), (n2, (_, s2))| {
            n1.cmp(n2)
                .then(s1.head.cmp(&s2.head))
                .then(s2.username.cmp(&s1.username))
        })
        .map(|(_, (i, _))| i)
        .or_else(|| signers.iter().position(|s| s.head))
}

/// The block of `signer`, or the configured one when no leader can sign.
pub fn block(signer: Option<&Signer>, settings: &LetterSettings) -> SignatureBlock {
    match signer {
        Some(s) if s.head => SignatureBlock {
            authority: format!(
                "TM. {}",
                settings
                    .issuing_body
                    .first()
                    .map(|l| l.to_uppercase())
                    .unwrap_or_default()
            ),
            deputy: String::new(),
            title: settings.head_title.to_uppercase(),
            name: s.full_name.clone(),
            username: Some(s.username.clone()),
        },
        Some(s) => SignatureBlock {
            authority: format!("KT. {}", settings.head_title.to_uppercase()),
            deputy: String::new(),
            title: settings.deputy_title.to_uppercase(),
            name: s.full_name.clone(),
            username: Some(s.username.clone()),
        },
        None => SignatureBlock {
            authority: settings.signer_authority.clone(),
            deputy: settings.signer_deputy.clone(),
            title: settings.signer_title.clone(),
            name: settings.signer_name.clone(),
            username: None,
        },
    }
}

/// The signer a person chose (`username`), or the default; an unknown or
/// inactive username is refused under `signer`.
pub fn choose(
    signers: &[Signer],
    chosen: Option<&str>,
    in_charge: &[i64],
) -> Result<Option<usize>> {
    match chosen.map(str::trim).filter(|c| !c.is_empty()) {
        Some(username) => signers
            .iter()
            .position(|s| s.username == username.to_ascii_lowercase())
            .map(Some)
            .ok_or_else(|| {
                Error::field(
                    "signer",
                    "unknown",
                    Msg::UnknownLeader {
                        name: username.to_string(),
                    },
                )
            }),
        None => Ok(default_signer(signers, in_charge)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(id: i64, username: &str, head: bool) -> Signer {
        Signer {
            id,
            username: username.into(),
            full_name: username.into(),
            position: String::new(),
            head,
            default: false,
        }
    }

    #[test]
    fn the_leader_in_charge_of_most_tasks_else_the_head() {
        let all = vec![
            signer(1, "ct", true),
            signer(2, "pct.a", false),
            signer(3, "pct.b", false),
        ];
        assert_eq!(default_signer(&all, &[2, 3, 3]), Some(2));
        assert_eq!(
            default_signer(&all, &[2, 1]),
            Some(0),
            "a tie goes to the head"
        );
        assert_eq!(default_signer(&all, &[]), Some(0));
        assert!(choose(&all, Some("nobody"), &[]).is_err());
        assert_eq!(choose(&all, Some("PCT.A"), &[]).unwrap(), Some(1));
    }
}
