//! The importer's answers to the entry rules' questions (`entries::facts::Facts`): the
//! organization's members, catalog and rates are loaded once per import and kept up to date as
//! the import creates catalog items, so checking a row costs no round trip. Overlaps are the
//! one question that depends on the entries themselves: the database answers it for a whole
//! batch in one statement (`db::imports::first_overlapping`), and the batch's own rows that
//! passed before are checked here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::db::imports::Overlapping;
use crate::db::{DbResult, Tx, imports, organizations, rates};
use crate::domain::catalog::{Project, Task};
use crate::domain::entries::{Rates, TimeEntry, overlaps};
use crate::domain::ids::{OrganizationId, ProjectId, TagId, TaskId, TimeEntryId, UserId};
use crate::service::entries::facts::{Facts, Overlap};

/// What the rules may ask about the organization, held in memory for one import.
#[derive(Default)]
pub(super) struct Known {
    pub members: HashSet<UserId>,
    pub projects: HashMap<ProjectId, Project>,
    pub project_members: HashSet<(ProjectId, UserId)>,
    pub tasks: HashMap<TaskId, Task>,
    pub tags: HashSet<TagId>,
    pub default_rate: Option<i64>,
    pub member_rates: HashMap<UserId, Option<i64>>,
    pub project_rates: HashMap<ProjectId, Option<i64>>,
    pub project_member_rates: HashMap<(ProjectId, UserId), Option<i64>>,
}

impl Known {
    /// Members, project memberships, tasks and rates of `org`; projects and tags come with the
    /// catalog the importer matches names against (`add_project`, `tags`).
    pub(super) async fn load(tx: &mut Tx, org: OrganizationId) -> DbResult<Known> {
        let mut known = Known {
            members: organizations::members(&mut tx.conn(), org)
                .await?
                .into_iter()
                .map(|m| m.user_id)
                .collect(),
            project_members: imports::project_members(&mut tx.conn(), org)
                .await?
                .into_iter()
                .collect(),
            tasks: imports::tasks(&mut tx.conn(), org)
                .await?
                .into_iter()
                .map(|t| (t.id, t))
                .collect(),
            ..Known::default()
        };
        let table = rates::table(&mut tx.conn(), org).await?;
        known.default_rate = table.default_rate;
        for member in table.members {
            known
                .member_rates
                .insert(member.user_id, member.hourly_rate);
        }
        for project in table.projects {
            known
                .project_rates
                .insert(project.project_id, project.hourly_rate);
            for member in project.members {
                known
                    .project_member_rates
                    .insert((project.project_id, member.user_id), member.hourly_rate);
            }
        }
        Ok(known)
    }

    /// A project of the catalog or one the import created (no rate, no members yet).
    pub(super) fn add_project(&mut self, project: Project) {
        self.projects.insert(project.id, project);
    }
}

/// The answers for one row: `overlap` is the database's answer for this row's entry, `batch`
/// the entries of the same batch that passed before it (not yet written).
pub(super) struct RowFacts<'a> {
    pub known: &'a Known,
    pub overlap: Option<Overlapping>,
    pub batch: &'a [(TimeEntry, String)],
}

impl Facts for RowFacts<'_> {
    async fn project(&mut self, _org: OrganizationId, id: ProjectId) -> DbResult<Option<Project>> {
        Ok(self.known.projects.get(&id).cloned())
    }

    async fn is_member(&mut self, _org: OrganizationId, user: UserId) -> DbResult<bool> {
        Ok(self.known.members.contains(&user))
    }

    async fn is_project_member(
        &mut self,
        _org: OrganizationId,
        project: ProjectId,
        user: UserId,
    ) -> DbResult<bool> {
        Ok(self.known.project_members.contains(&(project, user)))
    }

    async fn task(
        &mut self,
        _org: OrganizationId,
        project: ProjectId,
        id: TaskId,
    ) -> DbResult<Option<Task>> {
        Ok(self
            .known
            .tasks
            .get(&id)
            .filter(|t| t.project_id == project)
            .cloned())
    }

    async fn task_in_organization(&mut self, _org: OrganizationId, id: TaskId) -> DbResult<bool> {
        Ok(self.known.tasks.contains_key(&id))
    }

    async fn tag_exists(&mut self, _org: OrganizationId, id: TagId) -> DbResult<bool> {
        Ok(self.known.tags.contains(&id))
    }

    /// The earlier-starting of the database's answer and the batch's own overlapping rows.
    async fn first_overlapping(
        &mut self,
        _org: OrganizationId,
        user: UserId,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
        except: TimeEntryId,
    ) -> DbResult<Option<Overlap>> {
        let stored = self.overlap.map(|o| Overlap {
            id: o.id,
            start: o.start,
            end: o.end,
        });
        let pending = self
            .batch
            .iter()
            .map(|(e, _)| e)
            .filter(|e| e.user_id == user && e.id != except && overlaps(start, end, e.start, e.end))
            .map(|e| Overlap {
                id: e.id,
                start: e.start,
                end: e.end,
            });
        Ok(stored.into_iter().chain(pending).min_by_key(|o| o.start))
    }

    async fn rates(
        &mut self,
        _org: OrganizationId,
        user: UserId,
        project: Option<ProjectId>,
    ) -> DbResult<Rates> {
        let known = self.known;
        Ok(Rates {
            project_member: project
                .and_then(|p| known.project_member_rates.get(&(p, user)).copied())
                .flatten(),
            // a project created by this import has no rate
            project: project
                .and_then(|p| known.project_rates.get(&p).copied())
                .flatten(),
            member: known.member_rates.get(&user).copied().flatten(),
            organization: known.default_rate,
        })
    }
}
