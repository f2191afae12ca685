//! The packing of facts.

use super::*;
use chrono::Datelike;

#[test]
fn a_fact_takes_32_bytes() {
    assert_eq!(std::mem::size_of::<Fact>(), 32);
}

#[test]
fn days_pack_and_unpack_across_the_range() {
    for (y, m, d) in [(1970, 1, 2), (2026, 3, 31), (2100, 12, 31), (2149, 6, 1)] {
        let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(unpack_day(pack_day(day).unwrap()), Some(day));
        assert_eq!(day.year(), y);
    }
    assert_eq!(unpack_day(NONE), None);
    assert_eq!(
        pack_day(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()),
        None
    );
}

#[test]
fn upserts_keep_ids_sorted_and_replace_in_place() {
    let mut inner = Inner::default();
    let fact = |id| Fact {
        id,
        programme: 1,
        lead: 1,
        leader: 0,
        due: 1,
        original: 1,
        completed: NONE,
        field: 0,
        status: 0,
        progress: 0,
    };
    for id in [1, 2, 5, 3, 4, 2] {
        inner.upsert(fact(id));
    }
    let ids: Vec<i64> = inner.facts.iter().map(|f| f.id).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}
