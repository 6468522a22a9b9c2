package web

import (
	"encoding/base64"

	"assent"
)

// pageOf cuts one page out of a short list that the store returns whole
// (tokens, groups, templates), so that every list of the API takes limit
// and cursor. The cursor is the key of the last item of the previous page.
func pageOf[T any](all []T, key func(T) string, limit int, cursor string) ([]T, string, error) {
	start := 0
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil {
			return nil, "", assent.Invalid("cursor", "is not a cursor this server gave out")
		}
		start = -1
		for i, x := range all {
			if key(x) == string(b) {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return nil, "", assent.Invalid("cursor", "points at something that is gone; start from the first page")
		}
	}
	n := assent.PageSize(limit)
	end := min(start+n, len(all))
	page := all[start:end]
	next := ""
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(page[len(page)-1])))
	}
	return page, next, nil
}
