-- entries created by a CSV import remember the fingerprint of their source row (src/import), so
-- importing the same file again skips them; null for entries entered any other way
alter table time_entries add column import_fingerprint text;
-- one entry per fingerprint and organization; deleted entries keep theirs, so a row deleted
-- after an import is not brought back by importing the file again
create unique index time_entries_import_fingerprint_key on time_entries (organization_id, import_fingerprint)
    where import_fingerprint is not null;
