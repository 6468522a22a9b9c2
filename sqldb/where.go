package sqldb

import (
	"strconv"
	"strings"
)

// conditions builds the WHERE clause of a list query: each "?" of a
// condition becomes the next $N, with its value appended to args.
type conditions struct {
	where []string
	args  []any
}

func (c *conditions) add(cond string, vals ...any) {
	for _, v := range vals {
		c.args = append(c.args, v)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(c.args)), 1)
	}
	c.where = append(c.where, cond)
}

// sql joins the conditions with AND; TRUE when there are none.
func (c *conditions) sql() string {
	if len(c.where) == 0 {
		return "TRUE"
	}
	return strings.Join(c.where, " AND ")
}
