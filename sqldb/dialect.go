package sqldb

// dialect holds what differs between SQLite and PostgreSQL beyond the
// migrations. The queries themselves are shared.
type dialect struct {
	name string
	// migrations is the folder under migrations/ for this database.
	migrations string
	// ilike is the operator for case-insensitive matching.
	ilike string
	// maxParams bounds the placeholders of one statement.
	maxParams int
}

var (
	dialectSQLite   = dialect{name: "sqlite", migrations: "sqlite", ilike: "LIKE", maxParams: 32766}
	dialectPostgres = dialect{name: "postgres", migrations: "postgres", ilike: "ILIKE", maxParams: 65535}
)

func (d dialect) isPostgres() bool { return d.name == "postgres" }
