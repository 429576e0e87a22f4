-- single sign-on, continued (issue 18; docs/operations/single-sign-on.md): roles from the
-- provider's groups, and organizations whose members sign in only through their provider

-- the claim that lists a person's groups (an array of strings, in the ID token or userinfo)
alter table sso_providers add column groups_claim text not null default 'groups';
-- group → role, a JSON array of {"group": …, "role": "member" | "manager" | "admin"}; empty:
-- roles are not taken from the provider at all
alter table sso_providers add column role_mappings text not null default '[]';
-- the role of someone in none of the mapped groups (when mappings are set)
alter table sso_providers add column default_role text not null default 'member'
    check (default_role in ('member', 'manager', 'admin'));
-- when mappings are set: refuse the sign-in of someone in none of the mapped groups instead
alter table sso_providers add column refuse_unmapped boolean not null default false;
-- members (owners excepted) reach the organization only with a session from this provider;
-- it goes with the provider: removing single sign-on lifts it
alter table sso_providers add column password_sign_in_disabled boolean not null default false;
-- the role the provider's groups gave a person whose existing account waits for its password
-- (null: no mappings), applied when the link is confirmed
alter table sso_pending_links add column role text
    check (role is null or role in ('member', 'manager', 'admin'));

-- the organization whose single sign-on opened a browser session; null: a password (and
-- second factor) opened it
alter table sessions add column sso_organization_id uuid references organizations (id) on delete set null;
