package db

import (
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// UnicodeLower is the SQL function that lowercases text as PostgreSQL's
// LOWER does: SQLite's own LOWER changes ASCII letters only, so "ÜMIT"
// would not match "ümit" there. Queries that fold case for matching call
// it by this name on SQLite and LOWER on PostgreSQL (store.lower).
const UnicodeLower = "unicode_lower"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(UnicodeLower, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
}
