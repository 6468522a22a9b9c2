package assent

import (
	"context"
	"io"
	"time"
)

// Attachment is a file held by a file field of an item. Its content is
// stored once per SHA-256, whoever uploads it.
type Attachment struct {
	ID          string    `json:"id"`
	Item        string    `json:"item"`
	Field       string    `json:"field"`
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// BlobStore keeps file contents by their SHA-256: a directory today, an
// object store later.
type BlobStore interface {
	// Put stores r, at most limit bytes, and returns its hash and size.
	// ETOOLARGE past the limit.
	Put(ctx context.Context, r io.Reader, limit int64) (sha string, size int64, err error)
	// Open reads a stored content. ENOTFOUND.
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
	// List calls fn with every stored hash and when it was stored.
	List(ctx context.Context, fn func(sha string, stored time.Time) error) error
	// Delete removes a content stored (or last reused) before olderThan;
	// a missing or newer one is left alone.
	Delete(ctx context.Context, sha string, olderThan time.Time) error
}

// NewAttachment is an uploaded file to add to an item's file field.
type NewAttachment struct {
	Item, Field, Name, ContentType string
	SHA256                         string
	Size                           int64
	Revision                       *int64
}

// AttachmentService records attachments on items.
type AttachmentService interface {
	// AddAttachment appends an uploaded file to a file field of an item.
	// EINVALID (not a file field), ECONFLICT (archived), ESTALE.
	AddAttachment(ctx context.Context, n NewAttachment) (*Attachment, *Item, error)
	// FindAttachment returns an attachment that the caller may read. ENOTFOUND.
	FindAttachment(ctx context.Context, id string) (*Attachment, error)
	// FindItemAttachments lists an item's attachments, oldest first.
	FindItemAttachments(ctx context.Context, item string) ([]*Attachment, error)
	// AttachedBlobs reports which of the hashes some attachment uses.
	AttachedBlobs(ctx context.Context, shas []string) (map[string]bool, error)
}
