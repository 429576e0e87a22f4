-- single sign-on through the instance's own provider (issue 18; docs/operations/single-sign-on.md,
-- "Instance-wide provider"): the operator configures it in the environment, so it has no row in
-- sso_providers, and the sign-ins and links waiting for it belong to no organization (null)

alter table sso_logins alter column organization_id drop not null;
alter table sso_pending_links alter column organization_id drop not null;
