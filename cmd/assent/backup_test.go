package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// reviewTemplate has a file field and a sign-off that admin can take from
// request to approval alone.
const reviewTemplate = `
id: backup-review
name: Backup review
item_type: model_card
fields:
  - {id: notes, label: Notes, type: text}
  - {id: evidence, label: Evidence, type: file}
steps:
  - id: review
    name: Review
    fields: [notes, evidence]
    signoff:
      feedback_groups:
        - {id: risk, name: Risk, members: ["user:admin"]}
      approvers: ["user:admin"]
`

// api is one API call that reports failures as errors, so that writer
// goroutines can use it too.
func api(method, url, token, contentType string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// mustAPI is api that fails the test unless the status is want, and
// decodes the answer into out when given.
func mustAPI(t *testing.T, want int, method, url, token, contentType string, body io.Reader, out any) {
	t.Helper()
	status, b, err := api(method, url, token, contentType, body)
	if err != nil || status != want {
		t.Fatalf("%s %s: %d %v %s", method, url, status, err, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
}

// createItem creates an item of the review template and returns its id.
func createItem(url, token, name string) (string, error) {
	status, b, err := api("POST", url+"/api/v1/items", token, "application/json", strings.NewReader(`{"template":{"id":"backup-review"},"name":"`+name+`"}`))
	if err != nil || status != http.StatusCreated {
		return "", fmt.Errorf("create item %s: %d %v %s", name, status, err, b)
	}
	var it struct{ ID string }
	return it.ID, json.Unmarshal(b, &it)
}

// attach uploads content to an item's evidence field.
func attach(t *testing.T, url, token, item string, content []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("field", "evidence")
	fw, _ := mw.CreateFormFile("file", "evidence.bin")
	fw.Write(content)
	mw.Close()
	mustAPI(t, http.StatusCreated, "POST", url+"/api/v1/items/"+item+"/attachments", token, mw.FormDataContentType(), &body, nil)
}

// download returns the contents of an item's evidence, in order.
func download(t *testing.T, url, token, item string) [][]byte {
	t.Helper()
	var it struct{ Fields struct{ Evidence []string } }
	mustAPI(t, http.StatusOK, "GET", url+"/api/v1/items/"+item, token, "", nil, &it)
	var files [][]byte
	for _, id := range it.Fields.Evidence {
		status, b, err := api("GET", url+"/api/v1/attachments/"+id, token, "", nil)
		if err != nil || status != http.StatusOK {
			t.Fatalf("download %s of %s: %d %v", id, item, status, err)
		}
		files = append(files, b)
	}
	return files
}

// dbFlags names a data directory and, for PostgreSQL, a database.
func dbFlags(dataDir, databaseURL string) []string {
	flags := []string{"--data-dir", dataDir, "--log-level", "warn"}
	if databaseURL != "" {
		flags = append(flags, "--database-url", databaseURL)
	}
	return flags
}

// openQuietly opens a database without migrating it, closed when the test ends.
func openQuietly(t *testing.T, dsn string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func readManifest(t *testing.T, file string) *backupManifest {
	t.Helper()
	a, err := openArchive(file)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	return a.manifest
}

// TestMain_BackupRestore backs up a server that keeps writing, restores the
// file into an empty target and finds there everything that existed when
// the backup began.
func TestMain_BackupRestore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testBackupRestore(t, "", "") })
	t.Run("postgres", func(t *testing.T) {
		testBackupRestore(t, sqldbtest.PostgresDatabaseURL(t), sqldbtest.PostgresDatabaseURL(t))
	})
}

func testBackupRestore(t *testing.T, srcURL, dstURL string) {
	src := dbFlags(filepath.Join(t.TempDir(), "src"), srcURL)
	t.Setenv("ASSENT_ADMIN_PASSWORD", "backup-admin-password")
	t.Setenv("ASSENT_DEMO", "true")
	url, stop := serve(t, src...)
	token := signIn(t, url, "admin", "backup-admin-password")
	mustAPI(t, http.StatusCreated, "PUT", url+"/api/v1/templates/backup-review?activate=true", token, "application/yaml", strings.NewReader(reviewTemplate), nil)

	// Before the backup: items with attachments (two share one content) and an approved sign-off.
	evidence := map[string][]byte{}
	var first string
	for i := range 3 {
		id, err := createItem(url, token, fmt.Sprintf("Card fraud %d", i))
		if err != nil {
			t.Fatal(err)
		}
		content := []byte(fmt.Sprintf("evidence %d\n%s", i%2, strings.Repeat("model card ", 500*(i%2+1))))
		attach(t, url, token, id, content)
		evidence[id] = content
		if first == "" {
			first = id
		}
	}
	signoff := url + "/api/v1/items/" + first + "/signoffs/review"
	mustAPI(t, http.StatusOK, "POST", signoff+"/request-feedback", token, "application/json", strings.NewReader(`{}`), nil)
	mustAPI(t, http.StatusCreated, "POST", signoff+"/feedback", token, "application/json", strings.NewReader(`{"group":"risk","status":"APPROVED"}`), nil)
	mustAPI(t, http.StatusOK, "POST", signoff+"/request-approval", token, "application/json", strings.NewReader(`{}`), nil)
	mustAPI(t, http.StatusCreated, "POST", signoff+"/approval", token, "application/json", strings.NewReader(`{"status":"APPROVED","comment":"Go."}`), nil)

	// The demo's v2, whose metric history grows while the backup runs.
	var versions struct{ Items []struct{ ID string } }
	mustAPI(t, http.StatusOK, "GET", url+"/api/v1/governable-items?source=design-node&key=GOVERN_TUTORIAL.authorized_flag.v2", token, "", nil, &versions)
	v2 := versions.Items[0].ID
	metricsOf := func(url, token string) int {
		var out struct{ Series []struct{ Count int } }
		mustAPI(t, http.StatusOK, "GET", url+"/api/v1/governable-items/"+v2+"/metrics?name=latency_ms&points=10000", token, "", nil, &out)
		if len(out.Series) == 0 {
			return 0
		}
		return out.Series[0].Count
	}

	// Writers create items, edit a field and send metrics while the backup runs.
	var mu sync.Mutex
	var written []string
	var ops, points atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	// keepWriting calls write with 0, 1, 2, … until the test says done or
	// a write fails.
	keepWriting := func(write func(i int) error) {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				if err := write(i); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	keepWriting(func(i int) error {
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		body := fmt.Sprintf(`{"points":[{"item":%q,"name":"latency_ms","value":%d,"time":%q}]}`, v2, 40+i%7, at)
		if status, b, err := api("POST", url+"/api/v1/metrics", token, "application/json", strings.NewReader(body)); err != nil || status != http.StatusOK {
			return fmt.Errorf("metrics: %d %v %s", status, err, b)
		}
		points.Add(1)
		return nil
	})
	keepWriting(func(i int) error {
		id, err := createItem(url, token, fmt.Sprintf("Written meanwhile %d", i))
		if err != nil {
			return err
		}
		mu.Lock()
		written = append(written, id)
		mu.Unlock()
		ops.Add(1)
		return nil
	})
	keepWriting(func(i int) error {
		status, b, err := api("PATCH", url+"/api/v1/items/"+first, token, "application/json", strings.NewReader(fmt.Sprintf(`{"fields":{"notes":"edit %d"}}`, i)))
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("edit: %d %v %s", status, err, b)
		}
		ops.Add(1)
		return nil
	})
	for ops.Load() < 10 {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	writtenBefore := slices.Clone(written)
	mu.Unlock()
	eventsBefore := countEvents(t, openQuietly(t, databaseURLOf(src)))
	opsBefore, pointsBefore := ops.Load(), points.Load()

	file := filepath.Join(t.TempDir(), "assent-backup.tar.gz")
	out := mustRun(t, "", append(src, "backup", "--to", file)...)
	if !strings.HasPrefix(out, "backup written to "+file+": ") || !strings.Contains(out, " events, ") {
		t.Fatalf("backup printed:\n%s", out)
	}
	for ops.Load() < opsBefore+10 { // the server went on writing after the snapshot
		time.Sleep(10 * time.Millisecond)
	}
	close(done)
	wg.Wait()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left behind: %v", err)
	}
	man := readManifest(t, file)
	if man.SchemaVersion == 0 || man.Counts["events"] < int64(eventsBefore) || man.Counts["attachments"] != 3 || len(man.Entries) != 3 {
		t.Fatalf("manifest: schema %d, counts %v (%d events before the backup), %d entries", man.SchemaVersion, man.Counts, eventsBefore, len(man.Entries))
	}

	dst := dbFlags(filepath.Join(t.TempDir(), "restored"), dstURL)
	out = mustRun(t, "", append(dst, "restore", "--from", file)...)
	if !strings.HasPrefix(out, "restored "+file+" (") {
		t.Fatalf("restore printed:\n%s", out)
	}
	if out := mustRun(t, "", append(dst, "audit", "verify")...); !strings.HasPrefix(out, "ok: ") || !strings.Contains(out, " 0 pending") {
		t.Fatalf("audit verify of the restored database:\n%s", out)
	}
	restored := openQuietly(t, databaseURLOf(dst))
	if n := countEvents(t, restored); int64(n) != man.Counts["events"] {
		t.Errorf("restored %d events, the backup's manifest %d", n, man.Counts["events"])
	}

	t.Setenv("ASSENT_DEMO", "false")
	url, stop = serve(t, dst...)
	defer stop()
	token = signIn(t, url, "admin", "backup-admin-password")
	for id, content := range evidence {
		if got := download(t, url, token, id); len(got) != 1 || !bytes.Equal(got[0], content) {
			t.Errorf("item %s: restored evidence differs (%d files)", id, len(got))
		}
	}
	var sig struct{ State string }
	mustAPI(t, http.StatusOK, "GET", url+"/api/v1/items/"+first+"/signoffs/review", token, "", nil, &sig)
	if sig.State != "APPROVED" {
		t.Errorf("restored sign-off is %s, want APPROVED", sig.State)
	}
	for _, id := range writtenBefore {
		mustAPI(t, http.StatusOK, "GET", url+"/api/v1/items/"+id, token, "", nil, nil)
	}
	if n := metricsOf(url, token); int64(n) < pointsBefore {
		t.Errorf("restored %d metric points; %d were stored before the backup started", n, pointsBefore)
	}
	var registry struct {
		Items []struct {
			Versions []struct{ Focus *struct{ Drift *float64 } }
		}
	}
	mustAPI(t, http.StatusOK, "GET", url+"/api/v1/model-registry?q=Govern&focus=auc", token, "", nil, &registry)
	if len(registry.Items) == 0 || registry.Items[0].Versions[0].Focus == nil || registry.Items[0].Versions[0].Focus.Drift == nil {
		t.Errorf("the demo's metric history is not restored: %+v", registry.Items)
	}
}

// databaseURLOf is what databaseURL makes of flags.
func databaseURLOf(flags []string) string {
	var dir, dsn string
	for i := 0; i+1 < len(flags); i++ {
		switch flags[i] {
		case "--data-dir":
			dir = flags[i+1]
		case "--database-url":
			dsn = flags[i+1]
		}
	}
	if dsn != "" {
		return dsn
	}
	return filepath.Join(dir, "assent.db")
}

// smallBackup backs up a new SQLite database with one user and returns the file.
func smallBackup(t *testing.T) string {
	t.Helper()
	src := dbFlags(filepath.Join(t.TempDir(), "src"), "")
	mustRun(t, "ada-password-1\n", append(src, "users", "create", "ada", "--password-stdin")...)
	file := filepath.Join(t.TempDir(), "small.tar.gz")
	mustRun(t, "", append(src, "backup", "--to", file)...)
	return file
}

// rewriteManifest copies a backup with its manifest changed by edit.
func rewriteManifest(t *testing.T, file string, edit func(*backupManifest)) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	gw := gzip.NewWriter(&out)
	tw := tar.NewWriter(gw)
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		if hdr.Name == manifestName {
			var man backupManifest
			json.Unmarshal(b, &man)
			edit(&man)
			b, _ = json.Marshal(man)
			hdr.Size = int64(len(b))
		}
		tw.WriteHeader(hdr)
		tw.Write(b)
	}
	tw.Close()
	gw.Close()
	return writeTemp(t, out.Bytes())
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "changed.tar.gz")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// listDir returns the names under dir, or nil when it does not exist.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, rel)
		}
		return nil
	})
	return names
}

func TestMain_RestoreRefuses(t *testing.T) {
	file := smallBackup(t)
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// refused runs a restore into a new data directory that must fail with
	// every want in its message and leave nothing behind.
	refused := func(t *testing.T, from string, extra []string, wants ...string) {
		t.Helper()
		target := filepath.Join(t.TempDir(), "target")
		out, err := run(t, "", append(append(dbFlags(target, ""), extra...), "restore", "--from", from)...)
		if err == nil {
			t.Fatalf("restore succeeded:\n%s", out)
		}
		for _, want := range wants {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
		if names := listDir(t, target); names != nil {
			t.Errorf("the refused restore wrote %v", names)
		}
	}

	t.Run("OK", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "target")
		mustRun(t, "", append(dbFlags(target, ""), "restore", "--from", file)...)
		if out := mustRun(t, "", append(dbFlags(target, ""), "users", "list")...); !strings.Contains(out, "ada") {
			t.Fatalf("restored users:\n%s", out)
		}
	})
	t.Run("ErrNotEmpty", func(t *testing.T) {
		target := t.TempDir()
		existing := filepath.Join(target, "assent.db")
		if err := os.WriteFile(existing, []byte("precious"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := run(t, "", append(dbFlags(target, ""), "restore", "--from", file)...)
		if err == nil || !strings.Contains(err.Error(), "is not empty (it holds assent.db)") {
			t.Fatalf("restore into a data directory with a database: %v", err)
		}
		if b, _ := os.ReadFile(existing); string(b) != "precious" {
			t.Errorf("the existing database was overwritten: %q", b)
		}
		if names := listDir(t, target); !slices.Equal(names, []string{"assent.db"}) {
			t.Errorf("the data directory now holds %v", names)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		for _, size := range []int{len(good) - 1, len(good) / 2, 30} {
			refused(t, writeTemp(t, good[:size]), nil, "is damaged", "nothing was restored")
		}
	})
	t.Run("ErrFlippedByte", func(t *testing.T) {
		// Past the gzip header, whose time and flags no checksum covers.
		for _, at := range []int{len(good) / 3, len(good) / 2, len(good) * 3 / 4, len(good) - 6} {
			bad := slices.Clone(good)
			bad[at] ^= 0x20
			refused(t, writeTemp(t, bad), nil, "is damaged", "nothing was restored")
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		known, err := sqldb.KnownSchemaVersion("sqlite")
		if err != nil {
			t.Fatal(err)
		}
		newer := rewriteManifest(t, file, func(m *backupManifest) { m.SchemaVersion = known + 1 })
		refused(t, newer, nil, fmt.Sprintf("schema version %d, newer than this binary knows (%d)", known+1, known))
	})
	t.Run("ErrDialect", func(t *testing.T) {
		refused(t, file, []string{"--database-url", "postgres://nobody@127.0.0.1:1/none"}, "holds a SQLite database", "without --database-url")
	})
	t.Run("ErrNotABackup", func(t *testing.T) {
		refused(t, writeTemp(t, []byte("name,value\n")), nil, "is damaged", "not a gzip file")
	})
}

func TestMain_BackupFailsCleanly(t *testing.T) {
	t.Run("ErrNoDatabase", func(t *testing.T) {
		dir := t.TempDir()
		to := filepath.Join(dir, "b.tar.gz")
		_, err := run(t, "", append(dbFlags(filepath.Join(dir, "missing"), ""), "backup", "--to", to)...)
		if err == nil || !strings.Contains(err.Error(), "no database at") {
			t.Fatalf("backup of a missing database: %v", err)
		}
		if names := listDir(t, dir); names != nil {
			t.Errorf("the failed backup left %v", names)
		}
	})
	t.Run("ErrNoPgDump", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv("PATH", dir)
		_, err := run(t, "", append(dbFlags(dir, "postgres://nobody@127.0.0.1:1/none"), "backup", "--to", filepath.Join(dir, "b.tar.gz"))...)
		if err == nil || !strings.Contains(err.Error(), "pg_dump is not on the PATH") {
			t.Fatalf("backup without pg_dump: %v", err)
		}
		if names := listDir(t, dir); names != nil {
			t.Errorf("the failed backup left %v", names)
		}
	})
}
