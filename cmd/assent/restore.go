package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"

	"assent/filestore"
	"assent/sqldb"
)

func (m *Main) restoreCommand() *cli.Command {
	return &cli.Command{
		Name:  "restore",
		Usage: "restore a backup into an empty data directory (SQLite) or an empty database (--database-url)",
		Description: "The whole file is checked first (manifest, size and SHA-256 of every entry); nothing is written\n" +
			"when it is damaged, when the target is not empty, when its dialect differs from the target's,\n" +
			"or when its schema is newer than this binary knows. An older schema is brought up to date by\n" +
			"the next `assent serve` or `assent migrate`. PostgreSQL needs pg_restore on the PATH.",
		Flags:  []cli.Flag{&cli.StringFlag{Name: "from", Required: true, Usage: "the backup `FILE` written by assent backup"}},
		Action: m.runRestore,
	}
}

func (m *Main) runRestore(ctx context.Context, cmd *cli.Command) error {
	from := cmd.String("from")
	if from == "" {
		return errors.New("--from: name the backup file to restore")
	}
	pgURL := cmd.String(databaseURLFlag.Name)
	if pgURL != "" && !sqldb.IsPostgresURL(pgURL) {
		return errors.New("--database-url: restore takes a postgres:// URL; a SQLite backup goes into an empty --data-dir")
	}
	a, err := openArchive(from)
	if err != nil {
		return err
	}
	man := a.manifest
	a.Close()
	known, err := checkRestorable(from, man, pgURL != "")
	if err != nil {
		return err
	}
	t := &restoreTarget{dataDir: cmd.String(dataDirFlag.Name), attachments: attachmentsDir(cmd)}
	if pgURL != "" {
		if _, err := sqldb.PostgresTool("pg_restore"); err != nil {
			return err
		}
		if t.pg, err = sqldb.Open(ctx, pgURL); err != nil {
			return err
		}
		defer t.pg.Close()
	}
	if err := t.checkEmpty(ctx); err != nil {
		return err
	}
	// Every byte is checked before the first is written.
	if err := verifyArchive(from, man); err != nil {
		return err
	}
	if err := t.restore(ctx, from, man); err != nil {
		return err
	}
	msg := fmt.Sprintf("restored %s (%s, schema version %d, taken %s by Assent %s): %d items, %d sign-offs, %d events, %d attachments",
		from, man.Dialect, man.SchemaVersion, man.CreatedAt.Format("2006-01-02 15:04:05Z07:00"), man.AssentVersion,
		man.Counts["items"], man.Counts["signoffs"], man.Counts["events"], man.Counts["attachments"])
	if man.SchemaVersion < known {
		msg += fmt.Sprintf("; the next `assent serve` or `assent migrate` brings its schema from version %d to %d", man.SchemaVersion, known)
	}
	_, err = fmt.Fprintln(m.Stdout, msg)
	return err
}

// checkRestorable refuses a backup of the other dialect or of a newer
// schema, and returns the schema version this binary knows.
func checkRestorable(from string, man *backupManifest, toPostgres bool) (int64, error) {
	switch {
	case man.Dialect == "sqlite" && toPostgres:
		return 0, fmt.Errorf("backup %s holds a SQLite database: restore it without --database-url (ASSENT_DATABASE_URL), into an empty --data-dir", from)
	case man.Dialect == "postgres" && !toPostgres:
		return 0, fmt.Errorf("backup %s holds a PostgreSQL database: restore it with --database-url naming an empty PostgreSQL database", from)
	}
	known, err := sqldb.KnownSchemaVersion(man.Dialect)
	if err != nil {
		return 0, err
	}
	if man.SchemaVersion > known {
		return 0, fmt.Errorf("backup %s is at schema version %d, newer than this binary knows (%d): restore it with Assent %s or newer",
			from, man.SchemaVersion, known, man.AssentVersion)
	}
	return known, nil
}

// verifyArchive reads the whole backup, checking every entry.
func verifyArchive(from string, man *backupManifest) error {
	a, err := openArchive(from)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.sameManifest(man); err != nil {
		return err
	}
	return a.each(func(backupEntry, io.Reader) error { return nil })
}

// restoreTarget is where a backup goes: the data directory (database and
// attachments on SQLite, attachments on PostgreSQL) and the database.
type restoreTarget struct {
	dataDir, attachments string
	pg                   *sqldb.DB // nil for SQLite
	// What existed before, so that a failure removes exactly what it added.
	dataDirExisted, attachmentsExisted bool
}

// checkEmpty refuses a target that holds anything a restore could overwrite.
func (t *restoreTarget) checkEmpty(ctx context.Context) error {
	t.dataDirExisted = dirExists(t.dataDir)
	t.attachmentsExisted = dirExists(t.attachments)
	dir := t.dataDir
	if t.pg != nil {
		tables, err := t.pg.PostgresTables(ctx)
		if err != nil {
			return err
		}
		if len(tables) > 0 {
			return fmt.Errorf("the database of --database-url is not empty (it has %d tables, such as %s): restore only into an empty database, so that nothing is overwritten",
				len(tables), tables[0])
		}
		dir = t.attachments
	}
	if file, err := firstFile(dir); err != nil {
		return err
	} else if file != "" {
		return fmt.Errorf("%s is not empty (it holds %s): restore only into an empty directory, so that nothing is overwritten", dir, file)
	}
	return nil
}

func dirExists(dir string) bool {
	info, err := os.Stat(dir)
	return err == nil && info.IsDir()
}

// firstFile returns a file under dir, or "" when there is none: empty
// directories (lost+found of a new volume) do not count.
func firstFile(dir string) (string, error) {
	var found string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		} else if err != nil {
			return err
		}
		if !d.IsDir() {
			found, _ = filepath.Rel(dir, p)
			return fs.SkipAll
		}
		return nil
	})
	return found, err
}

// restore writes the backup; on failure it removes what it wrote, so that
// the target is as empty as it was.
func (t *restoreTarget) restore(ctx context.Context, from string, man *backupManifest) (err error) {
	if err := os.MkdirAll(t.dataDir, 0o700); err != nil {
		return err
	}
	work, err := os.MkdirTemp(t.dataDir, ".assent-restore-*")
	if err != nil {
		t.rollback()
		return err
	}
	defer os.RemoveAll(work)
	loaded := false // PostgreSQL: once pg_restore commits, the attachments stay with it
	defer func() {
		if err != nil && !loaded {
			t.rollback()
		}
	}()
	dbFile := filepath.Join(work, filepath.Base(databaseEntry[man.Dialect]))
	if err := t.extract(ctx, from, man, dbFile); err != nil {
		return err
	}
	var db *sqldb.DB
	if t.pg != nil {
		if err := t.pg.RestorePostgres(ctx, dbFile); err != nil {
			return err
		}
		db, loaded = t.pg, true
	} else {
		path := filepath.Join(t.dataDir, "assent.db")
		if err := os.Rename(dbFile, path); err != nil {
			return err
		}
		if db, err = sqldb.Open(ctx, path); err != nil {
			return err
		}
		defer db.Close()
	}
	if err := checkRestored(ctx, db, man); err != nil {
		if loaded {
			return fmt.Errorf("%w; the database now holds a partial restore: empty it before trying again", err)
		}
		return err
	}
	return nil
}

// extract writes the database to dbFile and the attachments to the store,
// checking each entry again as it goes.
func (t *restoreTarget) extract(ctx context.Context, from string, man *backupManifest, dbFile string) error {
	blobs, err := filestore.New(t.attachments)
	if err != nil {
		return err
	}
	a, err := openArchive(from)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.sameManifest(man); err != nil {
		return err
	}
	return a.each(func(e backupEntry, r io.Reader) error {
		if e.Name == databaseEntry[man.Dialect] {
			return writeFile(dbFile, r)
		}
		_, _, err := blobs.Put(ctx, r, e.Size)
		return err
	})
}

func writeFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkRestored seals the restored events, so that `assent audit verify`
// passes at once, and compares what the database holds with the manifest.
func checkRestored(ctx context.Context, db *sqldb.DB, man *backupManifest) error {
	if err := db.SealRestored(ctx); err != nil {
		return fmt.Errorf("seal the restored events: %w", err)
	}
	got, err := db.Describe(ctx)
	if err != nil {
		return err
	}
	var diffs []string
	if got.SchemaVersion != man.SchemaVersion {
		diffs = append(diffs, fmt.Sprintf("schema version %d, not %d", got.SchemaVersion, man.SchemaVersion))
	}
	for table, want := range man.Counts {
		if got.Counts[table] != want {
			diffs = append(diffs, fmt.Sprintf("%d %s, not %d", got.Counts[table], table, want))
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		return fmt.Errorf("the restored database differs from the backup's manifest: %s", strings.Join(diffs, ", "))
	}
	return nil
}

// rollback removes what a failed restore wrote: the target had no files.
func (t *restoreTarget) rollback() {
	if !t.dataDirExisted {
		os.RemoveAll(t.dataDir)
		return
	}
	if t.pg == nil {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(filepath.Join(t.dataDir, "assent.db"+suffix))
		}
	}
	os.RemoveAll(t.attachments)
	if t.attachmentsExisted {
		os.MkdirAll(t.attachments, 0o700)
	}
}
