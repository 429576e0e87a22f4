//! What the entry rules need to know about an organization, behind one trait so the rules in
//! `validate` and `draft` have one home whoever supplies the answers: `Lookups` asks the
//! database one question at a time (the API, the pages), the importer answers from catalogs and rates it
//! loaded in bulk (src/service/imports/facts.rs), so a 100,000-row file is not 800,000 round trips.

use chrono::{DateTime, Utc};

use crate::db::catalog::{projects, tags, tasks};
use crate::db::{Conn, DbResult, Ts, entries, organizations, rates};
use crate::domain::catalog::{Project, Task};
use crate::domain::entries::Rates;
use crate::domain::ids::{OrganizationId, ProjectId, TagId, TaskId, TimeEntryId, UserId};

/// Another live entry that shares an instant with the one being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overlap {
    pub id: TimeEntryId,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// The lookups of the entry rules, each scoped to `org`.
pub(crate) trait Facts {
    async fn project(&mut self, org: OrganizationId, id: ProjectId) -> DbResult<Option<Project>>;
    async fn is_member(&mut self, org: OrganizationId, user: UserId) -> DbResult<bool>;
    /// Whether `user` is a member of the (private) project.
    async fn is_project_member(
        &mut self,
        org: OrganizationId,
        project: ProjectId,
        user: UserId,
    ) -> DbResult<bool>;
    async fn task(
        &mut self,
        org: OrganizationId,
        project: ProjectId,
        id: TaskId,
    ) -> DbResult<Option<Task>>;
    /// Whether the task exists in any project of the organization.
    async fn task_in_organization(&mut self, org: OrganizationId, id: TaskId) -> DbResult<bool>;
    async fn tag_exists(&mut self, org: OrganizationId, id: TagId) -> DbResult<bool>;
    /// The earliest-starting other live entry of `user` sharing an instant with `[start, end)`.
    async fn first_overlapping(
        &mut self,
        org: OrganizationId,
        user: UserId,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
        except: TimeEntryId,
    ) -> DbResult<Option<Overlap>>;
    /// Every rate that could apply to `user` working on `project`.
    async fn rates(
        &mut self,
        org: OrganizationId,
        user: UserId,
        project: Option<ProjectId>,
    ) -> DbResult<Rates>;
}

/// The rates that may apply to an entry of `person` on `project`, read before the rules ran
/// (a create's membership statement reads them along).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownRates {
    pub person: UserId,
    pub project: Option<ProjectId>,
    pub rates: Rates,
}

/// One query per question on the caller's connection (a transaction's, or a pooled one when
/// the use case needs no transaction), except rates the caller read already.
pub(crate) struct Lookups<'a> {
    conn: Conn<'a>,
    known: Option<KnownRates>,
}

impl<'a> Lookups<'a> {
    pub fn on(conn: Conn<'a>) -> Self {
        Self { conn, known: None }
    }

    pub fn knowing(conn: Conn<'a>, known: KnownRates) -> Self {
        Self {
            conn,
            known: Some(known),
        }
    }
}

impl Facts for Lookups<'_> {
    async fn project(&mut self, org: OrganizationId, id: ProjectId) -> DbResult<Option<Project>> {
        projects::find(&mut self.conn, org, id).await
    }

    async fn is_member(&mut self, org: OrganizationId, user: UserId) -> DbResult<bool> {
        Ok(organizations::member_of(&mut self.conn, org, user)
            .await?
            .is_some())
    }

    async fn is_project_member(
        &mut self,
        org: OrganizationId,
        project: ProjectId,
        user: UserId,
    ) -> DbResult<bool> {
        projects::is_member(&mut self.conn, org, project, user).await
    }

    async fn task(
        &mut self,
        org: OrganizationId,
        project: ProjectId,
        id: TaskId,
    ) -> DbResult<Option<Task>> {
        tasks::find(&mut self.conn, org, project, id).await
    }

    async fn task_in_organization(&mut self, org: OrganizationId, id: TaskId) -> DbResult<bool> {
        Ok(tasks::find_in_organization(&mut self.conn, org, id)
            .await?
            .is_some())
    }

    async fn tag_exists(&mut self, org: OrganizationId, id: TagId) -> DbResult<bool> {
        Ok(tags::find(&mut self.conn, org, id).await?.is_some())
    }

    async fn first_overlapping(
        &mut self,
        org: OrganizationId,
        user: UserId,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
        except: TimeEntryId,
    ) -> DbResult<Option<Overlap>> {
        let other =
            entries::first_overlapping(&mut self.conn, org, user, Ts(start), end.map(Ts), except)
                .await?;
        Ok(other.map(|e| Overlap {
            id: e.id,
            start: e.start,
            end: e.end,
        }))
    }

    async fn rates(
        &mut self,
        org: OrganizationId,
        user: UserId,
        project: Option<ProjectId>,
    ) -> DbResult<Rates> {
        match self.known {
            Some(known) if known.person == user && known.project == project => Ok(known.rates),
            _ => rates::for_entry(&mut self.conn, org, user, project).await,
        }
    }
}
