//! Which backups to keep: the newest of each of the last N days that have one, and the newest of
//! each of the last M ISO weeks (as restic's --keep-daily/--keep-weekly). The newest backup is
//! always kept. Pure: the caller lists and deletes.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub daily: u32,
    pub weekly: u32,
}

/// Indexes (into `created`) of the backups to delete.
pub fn to_delete(created: &[DateTime<Utc>], policy: Policy) -> Vec<usize> {
    let mut order: Vec<usize> = (0..created.len()).collect();
    order.sort_by(|a, b| created[*b].cmp(&created[*a]));
    let mut keep = BTreeSet::new();
    if let Some(newest) = order.first() {
        keep.insert(*newest);
    }
    let mut days = BTreeSet::new();
    let mut weeks = BTreeSet::new();
    for &i in &order {
        let day = created[i].date_naive();
        if days.len() < policy.daily as usize && days.insert(day) {
            keep.insert(i);
        }
        let week = created[i].iso_week();
        if weeks.len() < policy.weekly as usize && weeks.insert((week.year(), week.week())) {
            keep.insert(i);
        }
    }
    let mut delete: Vec<usize> = (0..created.len()).filter(|i| !keep.contains(i)).collect();
    delete.sort_unstable();
    delete
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        // December 2026: the 1st is a Tuesday; ISO weeks start on Monday the 7th, 14th, 21st
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn keeps_the_newest_backup_of_each_of_the_last_days() {
        let created = [at(1, 3), at(2, 3), at(2, 15), at(3, 3), at(4, 3)];
        let deleted = to_delete(
            &created,
            Policy {
                daily: 2,
                weekly: 0,
            },
        );
        // kept: the newest of the two most recent days (the 4th and the 3rd)
        assert_eq!(deleted, vec![0, 1, 2]);
    }

    #[test]
    fn keeps_one_per_week_beyond_the_daily_ones() {
        // Tue 1st .. Sun 6th are week 49; 7th-13th week 50; 14th-20th week 51
        let created = [
            at(1, 3),
            at(5, 3),
            at(8, 3),
            at(12, 3),
            at(15, 3),
            at(16, 3),
        ];
        let deleted = to_delete(
            &created,
            Policy {
                daily: 1,
                weekly: 3,
            },
        );
        // daily: the 16th; weekly: the 16th (week 51), the 12th (week 50), the 5th (week 49)
        assert_eq!(deleted, vec![0, 2, 4]);
    }

    #[test]
    fn the_newest_backup_survives_a_policy_of_nothing() {
        let created = [at(1, 3), at(2, 3)];
        assert_eq!(
            to_delete(
                &created,
                Policy {
                    daily: 0,
                    weekly: 0
                }
            ),
            vec![0]
        );
        assert!(
            to_delete(
                &[],
                Policy {
                    daily: 0,
                    weekly: 0
                }
            )
            .is_empty()
        );
    }
}
