package assent

import (
	"strconv"
	"strings"
	"time"
)

// ParseExpiry reads a token lifetime such as "30d", "12h" or "90m"; "" or
// "never" means no expiry and returns 0.
func ParseExpiry(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "never" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 3650 {
			return 0, Invalid("expires", "must be a number of days from 1 to 3650, such as 30d")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, Invalid("expires", "must be a lifetime such as 30d, 12h or 90m, or never")
	}
	return d, nil
}
