-- an organization may require two-factor sign-in of its members (issue 18): a member without
-- it is sent to set it up before reaching the organization's data
alter table organizations add column require_two_factor boolean not null default false;
