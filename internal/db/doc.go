// Package db opens the database (embedded SQLite or PostgreSQL), applies the
// pragmas and pools each engine needs, runs the embedded migrations and
// classifies engine errors. It is the only package that knows which engine is
// in use, apart from the migrations themselves and the search queries in store.
package db
