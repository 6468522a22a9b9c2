package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"assent"
)

// AttachmentService implements assent.AttachmentService.
type AttachmentService struct{ items *ItemService }

// NewAttachmentService returns the attachment service of db.
func NewAttachmentService(db *DB) *AttachmentService {
	return &AttachmentService{items: NewItemService(db)}
}

var _ assent.AttachmentService = (*AttachmentService)(nil)

const attachmentColumns = `id, item_id, field, name, size, content_type, sha256, created_at, created_by`

func scanAttachment(row interface{ Scan(...any) error }) (*assent.Attachment, error) {
	var a assent.Attachment
	var created int64
	if err := row.Scan(&a.ID, &a.Item, &a.Field, &a.Name, &a.Size, &a.ContentType, &a.SHA256, &created, &a.CreatedBy); err != nil {
		return nil, err
	}
	a.CreatedAt = fromMS(created)
	return &a, nil
}

// AddAttachment appends an uploaded file to a file field, as one change of
// the item (revision, event) with the attachment row.
func (s *AttachmentService) AddAttachment(ctx context.Context, n assent.NewAttachment) (*assent.Attachment, *assent.Item, error) {
	name := cleanFileName(n.Name)
	ctype := n.ContentType
	if ctype == "" || len(ctype) > 200 || strings.ContainsAny(ctype, "\r\n") {
		ctype = "application/octet-stream"
	}
	var a *assent.Attachment
	it, err := s.items.changeItem(ctx, n.Item, n.Revision, false, func(tx *Tx, it *assent.Item, t *assent.Template) (string, map[string]any, map[string]any, error) {
		f := t.Field(n.Field)
		if f == nil || f.Type != assent.FieldFile {
			return "", nil, nil, assent.Invalid("field", "%q is not a file field of template %s", n.Field, t.ID)
		}
		a = &assent.Attachment{ID: "att_" + randomString(9), Item: it.ID, Field: n.Field, Name: name, Size: n.Size,
			ContentType: ctype, SHA256: n.SHA256, CreatedAt: tx.now, CreatedBy: tx.actor}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (`+attachmentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			a.ID, a.Item, a.Field, a.Name, a.Size, a.ContentType, a.SHA256, ms(a.CreatedAt), a.CreatedBy); err != nil {
			return "", nil, nil, fmt.Errorf("add attachment: %w", err)
		}
		old, _ := it.Fields[n.Field].([]any)
		next := append(append([]any{}, old...), a.ID)
		if it.Fields == nil {
			it.Fields = map[string]any{}
		}
		it.Fields[n.Field] = next
		if err := startCurrentStep(ctx, tx, it, t, []string{n.Field}); err != nil {
			return "", nil, nil, err
		}
		return "item.update",
			map[string]any{"fields": map[string]any{n.Field: old}},
			map[string]any{"fields": map[string]any{n.Field: next}, "attachment": map[string]any{"id": a.ID, "name": a.Name, "size": a.Size, "sha256": a.SHA256}},
			nil
	})
	if err != nil {
		return nil, nil, err
	}
	return a, it, nil
}

// cleanFileName keeps the base name, without path or control characters.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(strings.ToValidUTF8(name, "_"), `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		return "file"
	}
	for len(name) > 200 { // keep the end, with the extension, cut at a character
		_, size := utf8.DecodeRuneInString(name)
		name = name[size:]
	}
	return name
}

// FindAttachment returns one attachment; everyone signed in reads items.
func (s *AttachmentService) FindAttachment(ctx context.Context, id string) (*assent.Attachment, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	a, err := scanAttachment(s.items.db.read.QueryRowContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "Attachment %q not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find attachment: %w", err)
	}
	return a, nil
}

// FindItemAttachments lists an item's attachments, oldest first.
func (s *AttachmentService) FindItemAttachments(ctx context.Context, item string) ([]*assent.Attachment, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	rows, err := s.items.db.read.QueryContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE item_id = $1 ORDER BY created_at, id`, item)
	if err != nil {
		return nil, fmt.Errorf("find attachments: %w", err)
	}
	defer rows.Close()
	list := []*assent.Attachment{}
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, rows.Err()
}

// AttachedBlobs reports which hashes an attachment uses. Attachments are
// never deleted (history refers to them), so only contents left by an
// upload whose transaction failed are unused.
func (s *AttachmentService) AttachedBlobs(ctx context.Context, shas []string) (map[string]bool, error) {
	used := map[string]bool{}
	for _, sha := range shas {
		var one int
		err := s.items.db.read.QueryRowContext(ctx, `SELECT 1 FROM attachments WHERE sha256 = $1 LIMIT 1`, sha).Scan(&one)
		if err == nil {
			used[sha] = true
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	return used, nil
}
