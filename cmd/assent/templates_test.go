package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cliTemplate = `id: vendor-assessment
name: Vendor assessment
item_type: vendor_assessment
fields:
  - id: vendor
    label: Vendor
    type: text
    required: true
  - id: assessors
    label: Assessors
    type: principals
steps:
  - id: assess
    name: Assess
    fields: [vendor]
    signoff:
      approvers: ["field:assessors"]
`

// TestMain_Templates runs the templates commands on a fresh data directory:
// the standard templates are there, a file validates, applies and exports
// back to the same definition, and a broken one is refused with positions.
func TestMain_Templates(t *testing.T) {
	dir := t.TempDir()
	flags := []string{"--data-dir", filepath.Join(dir, "data"), "--log-level", "warn"}
	out := mustRun(t, "", append(flags, "templates", "list")...)
	for _, id := range []string{"standard-business-initiative", "standard-project", "standard-bundle", "standard-model", "standard-model-version"} {
		if !strings.Contains(out, id) {
			t.Errorf("templates list lacks %s:\n%s", id, out)
		}
	}
	file := filepath.Join(dir, "vendor.yaml")
	os.WriteFile(file, []byte(cliTemplate), 0o600)
	if out := mustRun(t, "", append(flags, "templates", "validate", file)...); !strings.Contains(out, "ok: vendor-assessment") {
		t.Fatalf("validate: %s", out)
	}
	if out := mustRun(t, "", append(flags, "templates", "apply", file, "--activate")...); !strings.Contains(out, "added version 1 of vendor-assessment (active)") {
		t.Fatalf("apply: %s", out)
	}
	exported := mustRun(t, "", append(flags, "templates", "export", "vendor-assessment")...)
	os.WriteFile(file, []byte(exported), 0o600)
	if out := mustRun(t, "", append(flags, "templates", "apply", file)...); !strings.Contains(out, "added version 2 of vendor-assessment (draft)") {
		t.Fatalf("re-apply of the export: %s", out)
	}
	if out := mustRun(t, "", append(flags, "templates", "export", "vendor-assessment", "--version", "2", "--format", "json")...); !strings.Contains(out, `"item_type": "vendor_assessment"`) {
		t.Fatalf("export json: %s", out)
	}

	broken := strings.Replace(cliTemplate, "type: principals", "type: people", 1)
	os.WriteFile(file, []byte(broken), 0o600)
	_, err := run(t, "", append(flags, "templates", "validate", file)...)
	if err == nil || !strings.Contains(describeError(err), "fields[1].type") || !strings.Contains(describeError(err), "line 11, column 11") {
		t.Fatalf("broken template: %v\n%s", err, describeError(err))
	}
	if _, err := run(t, "", append(flags, "audit", "verify")...); err != nil {
		t.Fatalf("audit after template commands: %v", err)
	}
}
