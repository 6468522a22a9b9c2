package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"assent"
)

// revisionOf reads the revision a change is based on from If-Match ("7",
// W/"7" or 7) or the body; both given must agree.
func revisionOf(ifMatch string, body *int64) (*int64, error) {
	if ifMatch == "" {
		return body, nil
	}
	v := strings.Trim(strings.TrimPrefix(strings.TrimSpace(ifMatch), "W/"), `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return nil, assent.Invalid("If-Match", "must be a revision such as \"7\"")
	}
	if body != nil && *body != n {
		return nil, assent.Invalid("revision", "is %d but If-Match says %d", *body, n)
	}
	return &n, nil
}

type rawQueryKey struct{}

// fieldFiltersFrom returns the field.<id>=value parameters of the request.
func fieldFiltersFrom(ctx context.Context) map[string]string {
	q, _ := ctx.Value(rawQueryKey{}).(url.Values)
	out := map[string]string{}
	for k, vs := range q {
		if id, ok := strings.CutPrefix(k, "field."); ok && len(vs) > 0 {
			out[id] = vs[0]
		}
	}
	return out
}
