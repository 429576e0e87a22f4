//! The `organizations` and `memberships` tables.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::account::{Member, MyOrganization, Organization};
use crate::domain::entries::Rates;
use crate::domain::ids::{OrganizationId, ProjectId, UserId};
use crate::domain::role::Role;

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: Uuid,
    name: String,
    currency: String,
    default_rate: Option<i64>,
    allow_overlap: bool,
    lock_before: Option<NaiveDate>,
    max_entry_hours: i32,
    usual_day_hours: i32,
    require_two_factor: bool,
    created_at: Ts,
    updated_at: Ts,
}

impl From<OrgRow> for Organization {
    fn from(r: OrgRow) -> Self {
        Organization {
            id: OrganizationId::from_uuid(r.id),
            name: r.name,
            currency: r.currency,
            default_rate: r.default_rate,
            allow_overlap: r.allow_overlap,
            lock_before: r.lock_before,
            max_entry_hours: r.max_entry_hours,
            usual_day_hours: r.usual_day_hours,
            require_two_factor: r.require_two_factor,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

pub(super) fn role(raw: &str) -> Role {
    // the column's check constraint admits only the four names
    Role::parse(raw).unwrap_or(Role::Member)
}

/// An organization joined with the member's role.
#[derive(sqlx::FromRow)]
struct MyOrgRow {
    #[sqlx(flatten)]
    org: OrgRow,
    role: String,
    two_factor_missing: bool,
    sso_required_by: Option<String>,
}

fn my_organization(row: MyOrgRow) -> MyOrganization {
    MyOrganization {
        organization: row.org.into(),
        role: role(&row.role),
        two_factor_missing: row.two_factor_missing,
        sso_required_by: row.sso_required_by,
    }
}

const ORG_COLUMNS: &str = "o.id, o.name, o.currency, o.default_rate, o.allow_overlap, o.lock_before, o.max_entry_hours, o.usual_day_hours, o.require_two_factor, o.created_at, o.updated_at";

/// Whether the member `m` of organization `o` lacks the two-factor sign-in `o` requires: read
/// with the role by every statement that checks a membership, so the rule costs no round trip.
/// A passkey counts as two-factor sign-in as much as an authenticator app does.
pub(super) const TWO_FACTOR_MISSING: &str = "(o.require_two_factor and not exists \
     (select 1 from totp_factors t where t.user_id = m.user_id and t.confirmed_at is not null) \
     and not exists (select 1 from passkeys p where p.user_id = m.user_id))";

/// The provider's name when organization `o` lets its member `m` in only through its single
/// sign-on (owners never: they are the way back in); read with `TWO_FACTOR_MISSING`, and
/// weighed against how the caller signed in by `service::access`.
pub(super) const SSO_REQUIRED_BY: &str = "(select s.display_name from sso_providers s \
     where s.organization_id = o.id and s.password_sign_in_disabled and m.role <> 'owner')";

pub async fn insert(conn: &mut Conn<'_>, org: &Organization) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into organizations (id, name, currency, created_at, updated_at, default_rate, allow_overlap, lock_before, max_entry_hours, usual_day_hours, require_two_factor) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
            .bind(org.id.as_uuid())
            .bind(&org.name)
            .bind(&org.currency)
            .bind(Ts(org.created_at))
            .bind(Ts(org.updated_at))
            .bind(org.default_rate)
            .bind(org.allow_overlap)
            .bind(org.lock_before)
            .bind(org.max_entry_hours)
            .bind(org.usual_day_hours)
            .bind(org.require_two_factor)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn update(conn: &mut Conn<'_>, org: &Organization) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "update organizations set name = $2, currency = $3, updated_at = $4, default_rate = $5, \
             allow_overlap = $6, lock_before = $7, max_entry_hours = $8, usual_day_hours = $9, \
             require_two_factor = $10 where id = $1",
        )
            .bind(org.id.as_uuid())
            .bind(&org.name)
            .bind(&org.currency)
            .bind(Ts(org.updated_at))
            .bind(org.default_rate)
            .bind(org.allow_overlap)
            .bind(org.lock_before)
            .bind(org.max_entry_hours)
            .bind(org.usual_day_hours)
            .bind(org.require_two_factor)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn delete(conn: &mut Conn<'_>, id: OrganizationId) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from organizations where id = $1").bind(id.as_uuid()).execute(c).await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, id: OrganizationId) -> DbResult<Option<Organization>> {
    let row: Option<OrgRow> = with_conn!(conn, c => {
        sqlx::query_as(&format!("select {ORG_COLUMNS} from organizations o where o.id = $1"))
            .bind(id.as_uuid())
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(Organization::from))
}

/// The organization and the user's role in it, or `None` when the user is not a member.
pub async fn find_for_member(
    conn: &mut Conn<'_>,
    id: OrganizationId,
    user: UserId,
) -> DbResult<Option<MyOrganization>> {
    let row: Option<MyOrgRow> = with_conn!(conn, c => {
        sqlx::query_as(
            &format!("select {ORG_COLUMNS}, m.role, {TWO_FACTOR_MISSING} as two_factor_missing, {SSO_REQUIRED_BY} as sso_required_by \
             from organizations o join memberships m on m.organization_id = o.id \
             where o.id = $1 and m.user_id = $2"),
        )
        .bind(id.as_uuid())
        .bind(user.as_uuid())
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(my_organization))
}

/// Like `find_for_member`, and only while the user's account is enabled: the one statement a
/// use case needs to know that its caller may act here (see `service::Acting`).
pub async fn find_for_enabled_member(
    conn: &mut Conn<'_>,
    id: OrganizationId,
    user: UserId,
) -> DbResult<Option<MyOrganization>> {
    let row: Option<MyOrgRow> = with_conn!(conn, c => {
        sqlx::query_as(
            &format!("select {ORG_COLUMNS}, m.role, {TWO_FACTOR_MISSING} as two_factor_missing, {SSO_REQUIRED_BY} as sso_required_by \
             from organizations o join memberships m on m.organization_id = o.id \
             join users u on u.id = m.user_id \
             where o.id = $1 and m.user_id = $2 and u.disabled_at is null"),
        )
        .bind(id.as_uuid())
        .bind(user.as_uuid())
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(my_organization))
}

/// `find_for_enabled_member` of `user`, and in the same statement every rate that could apply
/// to an entry of `person` on `project` (see `rates::for_entry`).
pub async fn find_for_enabled_member_with_rates(
    conn: &mut Conn<'_>,
    id: OrganizationId,
    user: UserId,
    person: UserId,
    project: Option<ProjectId>,
) -> DbResult<Option<(MyOrganization, Rates)>> {
    #[derive(sqlx::FromRow)]
    struct WithRates {
        #[sqlx(flatten)]
        mine: MyOrgRow,
        member_rate: Option<i64>,
        project_rate: Option<i64>,
        project_member_rate: Option<i64>,
    }
    let row: Option<WithRates> = with_conn!(conn, c => {
        sqlx::query_as(
            &format!("select {ORG_COLUMNS}, m.role, {TWO_FACTOR_MISSING} as two_factor_missing, {SSO_REQUIRED_BY} as sso_required_by, \
                    pe.hourly_rate as member_rate, p.hourly_rate as project_rate, pm.hourly_rate as project_member_rate \
             from organizations o join memberships m on m.organization_id = o.id \
             join users u on u.id = m.user_id \
             left join memberships pe on pe.organization_id = o.id and pe.user_id = $3 \
             left join projects p on p.organization_id = o.id and p.id = $4 \
             left join project_members pm on pm.project_id = p.id and pm.user_id = $3 \
             where o.id = $1 and m.user_id = $2 and u.disabled_at is null"),
        )
        .bind(id.as_uuid())
        .bind(user.as_uuid())
        .bind(person.as_uuid())
        .bind(project.map(|p| p.as_uuid()))
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(|r| {
        let mine = my_organization(r.mine);
        let rates = Rates {
            project_member: r.project_member_rate,
            project: r.project_rate,
            member: r.member_rate,
            organization: mine.organization.default_rate,
        };
        (mine, rates)
    }))
}

/// The names of the organizations `user` belongs to that require two-factor sign-in.
pub async fn requiring_two_factor(conn: &mut Conn<'_>, user: UserId) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = with_conn!(conn, c => {
        sqlx::query_as(
            "select o.name from organizations o join memberships m on m.organization_id = o.id \
             where m.user_id = $1 and o.require_two_factor order by o.name, o.id",
        )
        .bind(user.as_uuid())
        .fetch_all(c)
        .await?
    });
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

pub async fn list_for_member(conn: &mut Conn<'_>, user: UserId) -> DbResult<Vec<MyOrganization>> {
    let rows: Vec<MyOrgRow> = with_conn!(conn, c => {
        sqlx::query_as(
            &format!("select {ORG_COLUMNS}, m.role, {TWO_FACTOR_MISSING} as two_factor_missing, {SSO_REQUIRED_BY} as sso_required_by \
             from organizations o join memberships m on m.organization_id = o.id \
             where m.user_id = $1 order by o.name, o.id"),
        )
        .bind(user.as_uuid())
        .fetch_all(c)
        .await?
    });
    Ok(rows.into_iter().map(my_organization).collect())
}

pub async fn add_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    role: Role,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("insert into memberships (organization_id, user_id, role, created_at) values ($1, $2, $3, $4)")
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(role.as_str())
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn set_role(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    role: Role,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update memberships set role = $3 where organization_id = $1 and user_id = $2")
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(role.as_str())
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn remove_member(conn: &mut Conn<'_>, org: OrganizationId, user: UserId) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from memberships where organization_id = $1 and user_id = $2")
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Owners of an organization, counted under a lock so two demotions cannot both pass the
/// "another owner remains" check (PostgreSQL locks the rows; SQLite's write lock is already held).
pub async fn count_owners_locked(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<i64> {
    Ok(match conn {
        Conn::Postgres(c) => {
            let owners: Vec<Uuid> = sqlx::query_scalar(
                "select user_id from memberships where organization_id = $1 and role = 'owner' for update",
            )
            .bind(org.as_uuid())
            .fetch_all(&mut **c)
            .await?;
            owners.len() as i64
        }
        Conn::Sqlite(c) => {
            sqlx::query_scalar(
                "select count(*) from memberships where organization_id = $1 and role = 'owner'",
            )
            .bind(org.as_uuid())
            .fetch_one(&mut **c)
            .await?
        }
    })
}

const MEMBER_COLUMNS: &str = "u.id, u.email, u.name, m.role, u.disabled_at, m.created_at";

type MemberRow = (Uuid, String, String, String, Option<Ts>, Ts);

fn member(row: MemberRow) -> Member {
    let (id, email, name, r, disabled_at, joined) = row;
    Member {
        user_id: UserId::from_uuid(id),
        email,
        name,
        role: role(&r),
        disabled: disabled_at.is_some(),
        joined_at: joined.0,
    }
}

pub async fn members(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<Vec<Member>> {
    let sql = format!(
        "select {MEMBER_COLUMNS} from memberships m join users u on u.id = m.user_id \
         where m.organization_id = $1 order by u.name, u.id"
    );
    let rows: Vec<MemberRow> =
        with_conn!(conn, c => sqlx::query_as(&sql).bind(org.as_uuid()).fetch_all(c).await?);
    Ok(rows.into_iter().map(member).collect())
}

pub async fn member_of(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
) -> DbResult<Option<Member>> {
    let sql = format!(
        "select {MEMBER_COLUMNS} from memberships m join users u on u.id = m.user_id \
         where m.organization_id = $1 and m.user_id = $2"
    );
    let row: Option<MemberRow> = with_conn!(conn, c => sqlx::query_as(&sql).bind(org.as_uuid()).bind(user.as_uuid()).fetch_optional(c).await?);
    Ok(row.map(member))
}
