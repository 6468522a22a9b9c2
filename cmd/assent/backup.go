package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/urfave/cli/v3"

	"assent"
	"assent/filestore"
	"assent/sqldb"
)

// A backup is a gzip-compressed tar: manifest.json first, then the
// database (a SQLite file or a pg_dump archive), then the attachment
// contents under their SHA-256, as the file store keeps them.
const (
	backupFormat        = "assent-backup"
	backupFormatVersion = 1
	manifestName        = "manifest.json"
)

// databaseEntry names the database inside a backup, per dialect.
var databaseEntry = map[string]string{"sqlite": "database/assent.db", "postgres": "database/assent.pgdump"}

// backupManifest describes a backup; a restore checks every entry against it
// before writing anything.
type backupManifest struct {
	Format        string           `json:"format"`
	FormatVersion int              `json:"format_version"`
	AssentVersion string           `json:"assent_version"`
	Dialect       string           `json:"dialect"`
	SchemaVersion int64            `json:"schema_version"`
	CreatedAt     time.Time        `json:"created_at"`
	Counts        map[string]int64 `json:"counts"`
	Entries       []backupEntry    `json:"entries"`
}

// backupEntry is one file of the archive after the manifest.
type backupEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func attachmentEntry(sha string) string { return "attachments/" + sha[:2] + "/" + sha }

// attachmentsDir is where serve keeps attachment contents.
func attachmentsDir(cmd *cli.Command) string {
	return filepath.Join(cmd.String(dataDirFlag.Name), "attachments")
}

func (m *Main) backupCommand() *cli.Command {
	return &cli.Command{
		Name:  "backup",
		Usage: "write a consistent backup of the database and attachments to one file, while the server runs",
		Description: "SQLite is copied with VACUUM INTO, PostgreSQL with pg_dump (which must be on the PATH);\n" +
			"the attachments the copy refers to follow. The file is written as FILE.tmp and renamed when complete.\n" +
			"Restore it with `assent restore --from FILE` into an empty data directory or database.",
		Flags:  []cli.Flag{&cli.StringFlag{Name: "to", Required: true, Usage: "the backup `FILE` to write (a .tar.gz)"}},
		Action: m.runBackup,
	}
}

func (m *Main) runBackup(ctx context.Context, cmd *cli.Command) error {
	start := time.Now()
	to := cmd.String("to")
	if to == "" {
		return errors.New("--to: name the backup file to write")
	}
	dsn := databaseURL(cmd)
	if sqldb.IsPostgresURL(dsn) {
		if _, err := sqldb.PostgresTool("pg_dump"); err != nil {
			return err
		}
	} else if _, err := os.Stat(dsn); err != nil {
		return fmt.Errorf("no database at %s: %w", dsn, err)
	}
	// The copy waits beside the backup file: same disk, and no database in /tmp.
	work, err := os.MkdirTemp(filepath.Dir(to), ".assent-backup-*")
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer os.RemoveAll(work)

	// The database first: the attachments it refers to were stored before
	// their rows committed and are never removed while referred to.
	man, dbFile, snap, err := snapshotDatabase(ctx, dsn, work)
	if err != nil {
		return err
	}
	var blobs assent.BlobStore
	if len(snap.Blobs) > 0 {
		dir := attachmentsDir(cmd)
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("the database refers to %d attachment contents but %s is missing: give the server's --data-dir", len(snap.Blobs), dir)
		}
		if blobs, err = filestore.New(dir); err != nil {
			return err
		}
	}
	for _, b := range snap.Blobs {
		man.Entries = append(man.Entries, backupEntry{Name: attachmentEntry(b.SHA256), Size: b.Size, SHA256: b.SHA256})
	}
	open := func(e backupEntry) (io.ReadCloser, error) {
		if e.Name == databaseEntry[man.Dialect] {
			return os.Open(dbFile)
		}
		r, err := blobs.Open(ctx, e.SHA256)
		if assent.ErrorCode(err) == assent.ENOTFOUND {
			return nil, fmt.Errorf("attachment content %s is missing from %s although the database refers to it", e.SHA256, attachmentsDir(cmd))
		}
		return r, err
	}
	size, err := writeArchive(ctx, to, man, open)
	if err != nil {
		return fmt.Errorf("backup not written: %w", err)
	}
	_, err = fmt.Fprintf(m.Stdout, "backup written to %s: %s database at schema version %d, %d items, %d sign-offs, %d events, %d attachments (%d files), %s in %s\n",
		to, man.Dialect, man.SchemaVersion, man.Counts["items"], man.Counts["signoffs"], man.Counts["events"], man.Counts["attachments"],
		len(snap.Blobs), formatBytes(size), time.Since(start).Round(time.Millisecond))
	return err
}

// snapshotDatabase copies the database into dir and starts the manifest
// with it. It opens the database without migrating: the server running
// beside may be older than this binary.
func snapshotDatabase(ctx context.Context, dsn, dir string) (*backupManifest, string, *sqldb.Snapshot, error) {
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return nil, "", nil, err
	}
	defer db.Close()
	created := time.Now().UTC().Truncate(time.Second)
	file := filepath.Join(dir, filepath.Base(databaseEntry[db.Dialect()]))
	var snap *sqldb.Snapshot
	if db.Dialect() == "postgres" {
		snap, err = db.DumpPostgres(ctx, file)
	} else {
		snap, err = db.SnapshotSQLite(ctx, file)
	}
	if err != nil {
		return nil, "", nil, err
	}
	size, sum, err := hashFile(file)
	if err != nil {
		return nil, "", nil, err
	}
	man := &backupManifest{Format: backupFormat, FormatVersion: backupFormatVersion, AssentVersion: buildVersion(),
		Dialect: db.Dialect(), SchemaVersion: snap.SchemaVersion, CreatedAt: created, Counts: snap.Counts,
		Entries: []backupEntry{{Name: databaseEntry[db.Dialect()], Size: size, SHA256: sum}}}
	return man, file, snap, nil
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// writeArchive writes the manifest and every entry to path+".tmp", checking
// each against the manifest on the way, and renames it to path once
// complete and on disk. It returns the size written.
func writeArchive(ctx context.Context, path string, man *backupManifest, open func(backupEntry) (io.ReadCloser, error)) (int64, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // it holds password hashes
	if err != nil {
		return 0, err
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	gz := gzip.NewWriter(bw)
	tw := tar.NewWriter(gz)
	manifest, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return 0, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(manifest)), ModTime: man.CreatedAt}); err != nil {
		return 0, err
	}
	if _, err := tw.Write(manifest); err != nil {
		return 0, err
	}
	for _, e := range man.Entries {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := copyEntry(tw, e, man.CreatedAt, open); err != nil {
			return 0, err
		}
	}
	for _, c := range []io.Closer{tw, gz} {
		if err := c.Close(); err != nil {
			return 0, err
		}
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, err
	}
	done = true
	return info.Size(), nil
}

// copyEntry adds one file, which must hold exactly the size and hash the
// manifest already promised.
func copyEntry(tw *tar.Writer, e backupEntry, modTime time.Time, open func(backupEntry) (io.ReadCloser, error)) error {
	r, err := open(e)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := tw.WriteHeader(&tar.Header{Name: e.Name, Mode: 0o600, Size: e.Size, ModTime: modTime}); err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(tw, h), r, e.Size); err != nil {
		return fmt.Errorf("%s is shorter than the %d bytes recorded for it: %w", e.Name, e.Size, err)
	}
	if n, _ := r.Read(make([]byte, 1)); n > 0 {
		return fmt.Errorf("%s is longer than the %d bytes recorded for it", e.Name, e.Size)
	}
	if hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		return fmt.Errorf("%s does not match its SHA-256 %s: the file was changed or damaged on disk", e.Name, e.SHA256)
	}
	return nil
}

// formatBytes prints a size for people.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// validate checks the manifest's own rules: the database first, then
// attachments named by their hash, each once.
func (man *backupManifest) validate() error {
	dbEntry, ok := databaseEntry[man.Dialect]
	if !ok {
		return fmt.Errorf("unknown dialect %q", man.Dialect)
	}
	if len(man.Entries) == 0 || man.Entries[0].Name != dbEntry {
		return fmt.Errorf("the first entry is not %s", dbEntry)
	}
	seen := map[string]bool{}
	for i, e := range man.Entries {
		switch {
		case !shaPattern.MatchString(e.SHA256):
			return fmt.Errorf("entries[%d].sha256 is not a SHA-256", i)
		case e.Size < 0:
			return fmt.Errorf("entries[%d].size is negative", i)
		case seen[e.Name]:
			return fmt.Errorf("entries[%d].name %q is listed twice", i, e.Name)
		case i > 0 && e.Name != attachmentEntry(e.SHA256):
			return fmt.Errorf("entries[%d].name %q is not the attachment of its SHA-256", i, e.Name)
		}
		seen[e.Name] = true
	}
	return nil
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
