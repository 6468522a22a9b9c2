package sqldb_test

import (
	"strings"
	"testing"

	"assent"
	"assent/filestore"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestAttachmentsAndSweep(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		blobs, err := filestore.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		attachments := sqldb.NewAttachmentService(db)
		p := newProject(t, db, "Card fraud", nil)
		ada := as("ada", assent.RoleMember)
		sha, size, err := blobs.Put(ada, strings.NewReader("requirements"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		orphan, _, err := blobs.Put(ada, strings.NewReader("an upload whose transaction failed"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		a, it, err := attachments.AddAttachment(ada, assent.NewAttachment{Item: p.ID, Field: "exploration_documents", Name: "../../etc/req.md", SHA256: sha, Size: size, Revision: &p.Revision})
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != "req.md" || it.Revision != p.Revision+1 {
			t.Fatalf("attachment %+v, revision %d", a, it.Revision)
		}
		_, _, err = attachments.AddAttachment(ada, assent.NewAttachment{Item: p.ID, Field: "exploration_documents", Name: "x", SHA256: sha, Size: size, Revision: &p.Revision})
		wantCode(t, err, assent.ESTALE)

		n, err := assent.SweepBlobs(admin, blobs, attachments, -1) // everything is old enough
		if err != nil || n != 1 {
			t.Fatalf("swept %d (%v), want the orphan only", n, err)
		}
		if _, err := blobs.Open(ada, orphan); assent.ErrorCode(err) != assent.ENOTFOUND {
			t.Fatalf("orphan still there: %v", err)
		}
		if f, err := blobs.Open(ada, sha); err != nil {
			t.Fatalf("attached content swept: %v", err)
		} else {
			f.Close()
		}
	})
}
