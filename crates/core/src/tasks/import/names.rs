//! Names as the annexes write them. A department is found by its code, one
//! of its aliases (`department_aliases`, edited by the admin), its name with
//! or without "Phòng", "UBND xã", "Xã", "Thị trấn", or the initials of its
//! name ("TN&MT" for "Phòng Tài nguyên và Môi trường"); a leader by
//! username, or by name with or without a title ("PCT Nguyễn Thị Hạnh"), or
//! by position alone when only one leader holds it. Everything is compared
//! without case or diacritics. Each way is tried in that order; when one way
//! finds two different candidates, the name is ambiguous and both are named.

use sea_orm::{ConnectionTrait, EntityTrait};

use crate::{
    domain::{Role, text::fold},
    entity::{department, department_alias, user},
    error::Result,
};

/// What looking a name up found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found<T> {
    One(T),
    /// Two different candidates (the first two found).
    Ambiguous(T, T),
    None,
}

/// A department as the import names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dept {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A leader as the import names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leader {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    position: String,
}

/// One way of matching a department.
type Way<'a> = Box<dyn Fn(&Dept) -> bool + 'a>;

/// Every department, alias and leader, read once per import.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    departments: Vec<Dept>,
    /// (folded alias without prefixes, compact form, department id).
    aliases: Vec<(String, String, i64)>,
    leaders: Vec<Leader>,
}

/// Words an annex puts before a unit's own name.
const UNIT_PREFIXES: [&str; 12] = [
    "uy ban nhan dan xa ",
    "uy ban nhan dan thi tran ",
    "uy ban nhan dan ",
    "ubnd xa ",
    "ubnd thi tran ",
    "ubnd phuong ",
    "ubnd ",
    "phong ",
    "xa ",
    "thi tran ",
    "phuong ",
    "co quan ",
];

/// Titles an annex puts before a leader's name.
const TITLES: [&str; 14] = [
    "pho chu tich ubnd ",
    "chu tich ubnd ",
    "pho chu tich ",
    "chu tich ",
    "pho ct ",
    "pct ",
    "ct ",
    "dong chi ",
    "d/c ",
    "dc ",
    "ong ",
    "ba ",
    "uy vien ",
    "bi thu ",
];

/// The folded text without the unit words in front ("phong tn mt" → "tn mt").
pub fn unit_core(text: &str) -> String {
    let mut rest = fold(text);
    loop {
        let before = rest.len();
        for prefix in UNIT_PREFIXES {
            if let Some(stripped) = rest.strip_prefix(prefix) {
                rest = stripped.to_string();
            }
        }
        if rest.len() == before {
            return rest;
        }
    }
}

/// Letters and digits only ("tc-kh" → "tckh", "tn mt" → "tnmt").
fn compact(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Initials of a name's words, "và"/"and" left out ("tai nguyen va moi truong" → "tnmt").
fn initials(core: &str) -> String {
    core.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "va" | "and"))
        .filter_map(|w| w.chars().next())
        .collect()
}

/// Every word of `part` appears in `whole`, in the same order.
fn in_order(part: &[&str], whole: &[&str]) -> bool {
    let mut rest = whole.iter();
    part.iter().all(|w| rest.any(|x| x == w))
}

fn pick<T: Clone + PartialEq>(found: Vec<T>) -> Found<T> {
    let mut distinct: Vec<T> = Vec::new();
    for item in found {
        if !distinct.contains(&item) {
            distinct.push(item);
        }
    }
    match distinct.len() {
        0 => Found::None,
        1 => Found::One(distinct.remove(0)),
        _ => Found::Ambiguous(distinct[0].clone(), distinct[1].clone()),
    }
}

impl Directory {
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self> {
        let departments = department::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|d| Dept {
                id: d.id,
                code: d.code,
                name: d.name,
            })
            .collect();
        let aliases = department_alias::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|a| {
                let core = unit_core(&a.alias);
                let short = compact(&core);
                (core, short, a.department_id)
            })
            .collect();
        let leaders = user::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .filter(|u| matches!(u.role, Role::Leader | Role::Admin))
            .map(|u| Leader {
                id: u.id,
                username: u.username,
                full_name: u.full_name,
                position: u.position.unwrap_or_default(),
            })
            .collect();
        Ok(Self {
            departments,
            aliases,
            leaders,
        })
    }

    /// The department `text` names.
    pub fn department(&self, text: &str) -> Found<Dept> {
        let text = text.trim();
        if text.is_empty() {
            return Found::None;
        }
        let core = unit_core(text);
        let short = compact(&core);
        let whole = compact(&fold(text));
        let by_id = |id: i64| self.departments.iter().find(|d| d.id == id).cloned();
        let ways: [Way<'_>; 4] = [
            Box::new(|d: &Dept| {
                let code = compact(&fold(&d.code));
                !code.is_empty() && (code == whole || code == short)
            }),
            Box::new(|d: &Dept| unit_core(&d.name) == core),
            Box::new(|d: &Dept| {
                let initials = initials(&unit_core(&d.name));
                initials.len() >= 2 && initials == short
            }),
            // The name without its last words, as annexes shorten it
            // ("Văn phòng HĐND và UBND" for "… UBND huyện"): whole words,
            // at least two of them.
            Box::new(|d: &Dept| {
                core.split(' ').filter(|w| !w.is_empty()).count() >= 2
                    && unit_core(&d.name).starts_with(&format!("{core} "))
            }),
        ];
        for (index, way) in ways.iter().enumerate() {
            let found = pick(
                self.departments
                    .iter()
                    .filter(|d| way(d))
                    .cloned()
                    .collect(),
            );
            if found != Found::None {
                return found;
            }
            // Aliases come right after codes: the admin wrote them on purpose.
            if index == 0 {
                let found = pick(
                    self.aliases
                        .iter()
                        .filter(|(alias_core, alias_short, _)| {
                            *alias_core == core || (!short.is_empty() && *alias_short == short)
                        })
                        .filter_map(|(_, _, id)| by_id(*id))
                        .collect(),
                );
                if found != Found::None {
                    return found;
                }
            }
        }
        Found::None
    }

    /// The leader `text` names.
    pub fn leader(&self, text: &str) -> Found<Leader> {
        let text = text.trim();
        if text.is_empty() {
            return Found::None;
        }
        let lower = text.to_lowercase();
        let by_username = pick(
            self.leaders
                .iter()
                .filter(|l| l.username == lower)
                .cloned()
                .collect(),
        );
        if by_username != Found::None {
            return by_username;
        }
        let folded = fold(text);
        // Longest titles first: "Chủ tịch UBND huyện" before "Chủ tịch".
        let mut titles: Vec<String> = TITLES
            .iter()
            .map(|t| t.to_string())
            .chain(
                self.leaders
                    .iter()
                    .map(|l| format!("{} ", fold(&l.position))),
            )
            .filter(|t| !t.trim().is_empty())
            .collect();
        titles.sort_by_key(|t| std::cmp::Reverse(t.len()));
        titles.dedup();
        let mut name = folded.clone();
        while let Some(title) = titles.iter().find(|t| name.starts_with(t.as_str())) {
            name = name[title.len()..].to_string();
        }
        let by_name = pick(
            self.leaders
                .iter()
                .filter(|l| fold(&l.full_name) == name)
                .cloned()
                .collect(),
        );
        if by_name != Found::None {
            return by_name;
        }
        // A middle name left out ("Nguyễn Thị Hạnh" for "Nguyễn Thị Mỹ
        // Hạnh"): the same family and given name, the words written all
        // in the full name, in order.
        let written: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
        if written.len() >= 2 {
            let shortened = pick(
                self.leaders
                    .iter()
                    .filter(|l| {
                        let full = fold(&l.full_name);
                        let full: Vec<&str> = full.split(' ').filter(|w| !w.is_empty()).collect();
                        full.first() == written.first()
                            && full.last() == written.last()
                            && in_order(&written, &full)
                    })
                    .cloned()
                    .collect(),
            );
            if shortened != Found::None {
                return shortened;
            }
        }
        // A title alone ("Chủ tịch", "PCT") names the one leader holding it.
        let short = compact(&folded);
        pick(
            self.leaders
                .iter()
                .filter(|l| {
                    let position = fold(&l.position);
                    // "Chủ tịch" or "CT" for "Chủ tịch UBND huyện".
                    !position.is_empty()
                        && (position == folded
                            || position.starts_with(&format!("{folded} "))
                            || (short.len() >= 2 && initials(&position).starts_with(&short)))
                })
                .cloned()
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        let dept = |id, code: &str, name: &str| Dept {
            id,
            code: code.into(),
            name: name.into(),
        };
        let leader = |id, username: &str, full_name: &str, position: &str| Leader {
            id,
            username: username.into(),
            full_name: full_name.into(),
            position: position.into(),
        };
        Directory {
            departments: vec![
                dept(1, "TNMT", "Phòng Tài nguyên và Môi trường"),
                dept(2, "TCKH", "Phòng Tài chính - Kế hoạch"),
                dept(3, "VHTT", "Phòng Văn hóa và Thông tin"),
                dept(4, "XLA", "UBND xã Lạc An"),
                dept(5, "NN", "Phòng Nông nghiệp và Phát triển nông thôn"),
                dept(6, "TT", "Phòng Tư pháp"),
                dept(7, "TTR", "Thanh tra huyện"),
            ],
            aliases: vec![("van hoa".into(), "vanhoa".into(), 3)],
            leaders: vec![
                leader(10, "ct.tuan", "Trần Văn Tuấn", "Chủ tịch"),
                leader(11, "pct.hanh", "Nguyễn Thị Hạnh", "Phó Chủ tịch"),
                leader(12, "pct.hanh2", "Nguyễn Thị Hạnh", "Phó Chủ tịch"),
                leader(13, "pct.minh", "Lê Văn Minh", "Phó Chủ tịch"),
            ],
        }
    }

    fn dept(text: &str) -> Found<i64> {
        match directory().department(text) {
            Found::One(d) => Found::One(d.id),
            Found::Ambiguous(a, b) => Found::Ambiguous(a.id, b.id),
            Found::None => Found::None,
        }
    }

    #[test]
    fn departments_as_written() {
        assert_eq!(dept("Phòng TN&MT"), Found::One(1));
        assert_eq!(dept("TC-KH"), Found::One(2));
        assert_eq!(dept("phong tai chinh ke hoach"), Found::One(2));
        assert_eq!(dept("VH-TT"), Found::One(3));
        assert_eq!(dept("Phòng Văn hóa"), Found::One(3));
        assert_eq!(dept("UBND xã Lạc An"), Found::One(4));
        assert_eq!(dept("Xã Lạc An"), Found::One(4));
        assert_eq!(dept("xa lac an"), Found::One(4));
        assert_eq!(dept("NN&PTNT"), Found::One(5));
        assert_eq!(dept("Phòng Y tế"), Found::None);
        assert_eq!(
            dept("Thanh tra"),
            Found::One(7),
            "the name without its last word"
        );
        assert_eq!(dept("Phòng Tài nguyên"), Found::One(1));
        assert_eq!(dept("Phòng"), Found::None, "one word shortens nothing");
        // "TT" is a code: the code wins over the initials of "Tư pháp"… and
        // "Thanh tra" and "Tư pháp" share no initials with the code "TTR".
        assert_eq!(dept("tt"), Found::One(6));
    }

    #[test]
    fn ambiguous_initials_name_both() {
        let mut d = directory();
        d.departments[0].code = "TNMT1".into();
        d.departments.push(Dept {
            id: 8,
            code: "TNXH".into(),
            name: "Phòng Tài nguyên - Môi trường".into(),
        });
        match d.department("TN&MT") {
            Found::Ambiguous(a, b) => assert_eq!((a.id, b.id), (1, 8)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn leaders_with_or_without_title() {
        let d = directory();
        let id = |text: &str| match d.leader(text) {
            Found::One(l) => l.id,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(id("ct.tuan"), 10);
        assert_eq!(id("Trần Văn Tuấn"), 10);
        assert_eq!(id("Chủ tịch Trần Văn Tuấn"), 10);
        assert_eq!(id("PCT Lê Văn Minh"), 13);
        assert_eq!(id("Chủ tịch"), 10);
        assert!(matches!(
            d.leader("PCT Nguyễn Thị Hạnh"),
            Found::Ambiguous(a, b) if a.id == 11 && b.id == 12
        ));
        assert!(matches!(d.leader("PCT"), Found::Ambiguous(..)));
        assert_eq!(id("PCT Lê Minh"), 13, "a middle name left out");
        assert_eq!(d.leader("PCT Lê Văn"), Found::None, "not the given name");
        assert_eq!(d.leader("Ông Không Ai"), Found::None);
    }
}
