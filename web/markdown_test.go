package web

import (
	"strings"
	"testing"
)

func TestMarkdownIsSafe(t *testing.T) {
	m := newMarkdownRenderer()
	for _, tc := range []struct{ in, want, not string }{
		{"**bold** and a [link](https://example.com)", "<strong>bold</strong>", ""},
		{"<script>alert(1)</script>", "", "<script"},
		{"[click](javascript:alert(1))", "click", "javascript:"},
		{`<img src=x onerror="alert(1)">`, "", "onerror"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<table>", ""},
		{"[x](https://example.com)", `noreferrer`, ""},
	} {
		got := string(m.render(tc.in))
		if tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("render(%q) = %q, want it to contain %q", tc.in, got, tc.want)
		}
		if tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("render(%q) = %q, must not contain %q", tc.in, got, tc.not)
		}
	}
}
