package assent

import (
	"context"
	"time"
)

// SweepBlobs removes stored contents that no attachment uses and that are
// older than grace (younger ones may belong to an upload still committing).
// Attachments themselves stay for good: the history of items refers to them.
func SweepBlobs(ctx context.Context, blobs BlobStore, attachments AttachmentService, grace time.Duration) (int, error) {
	var candidates []string
	cutoff := time.Now().Add(-grace)
	if err := blobs.List(ctx, func(sha string, stored time.Time) error {
		if stored.Before(cutoff) {
			candidates = append(candidates, sha)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	used, err := attachments.AttachedBlobs(ctx, candidates)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, sha := range candidates {
		if used[sha] {
			continue
		}
		if err := blobs.Delete(ctx, sha, cutoff); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}
