package sqldb

import (
	"fmt"
	"time"
)

// sortableID is prefix, the time in hex milliseconds, and random
// characters. Ids made later sort later, so a batch of thousands of new
// rows appends to the primary key and to indexes that end in the id
// instead of touching a random page per row.
func sortableID(prefix string, now time.Time) string {
	return fmt.Sprintf("%s%011x%s", prefix, now.UnixMilli(), randomString(6))
}
