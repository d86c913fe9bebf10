// Package store holds all of Practica's SQL. Queries run on SQLite and
// PostgreSQL alike with $N placeholders; dialect-specific SQL lives only in the
// migrations and in search. Reads go through Store.Read (the read pool), writes
// through Store.InTx (one explicit transaction on the writer).
//
// Every list of content is filtered by visibleContent, built from a
// policy.Scope: no list query is written without it.
package store
