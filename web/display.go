package web

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"assent"
)

// seconds formats a time to the second, for lists where order matters.
func seconds(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// eventName returns a readable name for an event's object when its id is
// opaque (tokens), taken from the values the event recorded.
func eventName(e *assent.Event) string {
	if e.ObjectType != "token" {
		return ""
	}
	for _, raw := range []json.RawMessage{e.After, e.Before} {
		var v struct{ Name string }
		if json.Unmarshal(raw, &v) == nil && v.Name != "" {
			return v.Name
		}
	}
	return ""
}

// member reports whether username belongs to g.
func member(g *assent.Group, username string) bool { return slices.Contains(g.Members, username) }

// browser sums up a User-Agent header as "Chrome on Linux".
func browser(ua string) string {
	name := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			name = b.name
			break
		}
	}
	if name == "" {
		if f := strings.Fields(ua); len(f) > 0 {
			return strings.SplitN(f[0], "/", 2)[0]
		}
		return "Unknown browser"
	}
	for _, o := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return name + " on " + o.name
		}
	}
	return name
}
