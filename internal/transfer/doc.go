// Package transfer moves a whole Practica database: online backups of SQLite
// (VACUUM INTO), restores into an empty location, the move from SQLite to
// PostgreSQL, and the per-table row counts and content hashes that verify
// each of them. It also reports the database's size and last backup for the
// admin data page.
//
// Unlike the feature packages it does not go through internal/store for its
// SQL: it works on every table generically, over the table, column and key
// lists it reads from the schema catalogs (sqlite_master and pragmas on
// SQLite, information_schema on PostgreSQL), so a table added by a later
// migration is backed up, moved and verified without a change here. That
// catalog SQL is engine-specific, which makes this package, with the
// migrations, store/search*.go and db, one of the places allowed to branch on
// the dialect (docs/decisions.md).
package transfer
