package sqldb

import (
	"encoding/json"
	"strconv"
	"strings"
)

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

// writePlaceholders writes "(p1, …, pn)" for parameters from+1 … from+n of
// a multi-row statement. SQLite takes "$N" as a name that it looks up in a
// list, which costs quadratic time in long statements, so there the
// anonymous positional "?" is used; PostgreSQL needs "$N".
func (d dialect) writePlaceholders(sb *strings.Builder, from, n int) {
	sb.WriteByte('(')
	for j := 1; j <= n; j++ {
		if j > 1 {
			sb.WriteByte(',')
		}
		if d.isPostgres() {
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(from + j))
		} else {
			sb.WriteByte('?')
		}
	}
	sb.WriteByte(')')
}

// fieldText is an SQL expression for a field value of items as text, the
// same on both databases: PostgreSQL's ->> gives JSON true as 'true', where
// SQLite's gives 1. id must already be a valid field id.
func (d dialect) fieldText(id string) string {
	if d.isPostgres() {
		return "(fields ->> '" + id + "')"
	}
	return "(CASE json_type(fields, '$." + id + "') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(fields ->> '" + id + "' AS TEXT) END)"
}

// inList is an SQL condition "col is one of the strings in parameter n";
// listArg encodes the strings for it. One parameter whatever the length:
// a JSON array on SQLite, a text array on PostgreSQL.
func (d dialect) inList(col string, n int) string {
	if d.isPostgres() {
		return col + " = ANY($" + strconv.Itoa(n) + "::text[])"
	}
	return col + " IN (SELECT value FROM json_each($" + strconv.Itoa(n) + "))"
}

func (d dialect) listArg(values []string) any {
	if d.isPostgres() {
		return values
	}
	b, _ := json.Marshal(values)
	return string(b)
}
