package view

import "practica/internal/transfer"

// AdminDataPage shows the database, its last backup, and the data commands.
type AdminDataPage struct {
	Chrome
	Status transfer.Status
}

// EngineName is how the data page names a database engine.
func EngineName(engine string) string {
	if engine == "postgres" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// Bytes writes a size the way people read it.
func Bytes(n int64) string { return transfer.HumanBytes(n) }
