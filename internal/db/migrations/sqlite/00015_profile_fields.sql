-- +goose Up
-- More of what a member tells about themselves. links holds one http(s)
-- address per line. field_visibility says who sees each of these fields:
-- "location=members;links=me"; a field not named is for everyone.
ALTER TABLE users ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN pronouns TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN links TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN field_visibility TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN field_visibility;
ALTER TABLE users DROP COLUMN links;
ALTER TABLE users DROP COLUMN time_zone;
ALTER TABLE users DROP COLUMN pronouns;
ALTER TABLE users DROP COLUMN location;
