// Package filestore keeps attachment contents in a directory, one file per
// SHA-256, so that the same file uploaded twice is stored once.
package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"assent"
)

// Store is an assent.BlobStore in a directory.
type Store struct{ dir string }

var _ assent.BlobStore = (*Store)(nil)

// New returns a store in dir, creating it.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("attachments directory: %w", err)
	}
	return &Store{dir: dir}, nil
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Store) path(sha string) string { return filepath.Join(s.dir, sha[:2], sha) }

// Put writes r to a temporary file while hashing it, then moves it to its
// place; a content already there is kept.
func (s *Store) Put(ctx context.Context, r io.Reader, limit int64) (string, int64, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "upload-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err != nil {
		return "", 0, fmt.Errorf("store upload: %w", err)
	}
	if n > limit {
		return "", 0, assent.Errorf(assent.ETOOLARGE, "The file is larger than the limit of %d MB.", limit>>20)
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, err
	}
	sha := hex.EncodeToString(h.Sum(nil))
	dst := s.path(sha)
	if _, err := os.Stat(dst); err == nil {
		// Fresh again, so that a sweep running now leaves it alone. A sweep
		// that moved it aside just now makes this fail: store it anew.
		now := time.Now()
		err := os.Chtimes(dst, now, now)
		if err == nil {
			return sha, n, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", 0, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, err
	}
	if err := tmp.Close(); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("store upload: %w", err)
	}
	return sha, n, nil
}

// Open reads a content.
func (s *Store) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	if !shaPattern.MatchString(sha) {
		return nil, assent.Errorf(assent.ENOTFOUND, "No such file.")
	}
	f, err := os.Open(s.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, assent.Errorf(assent.ENOTFOUND, "The file's content is missing from the store.")
	}
	return f, err
}

// List walks the stored contents.
func (s *Store) List(ctx context.Context, fn func(sha string, stored time.Time) error) error {
	return filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !shaPattern.MatchString(d.Name()) {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(d.Name(), info.ModTime())
	})
}

// Delete removes a content stored before olderThan; a content stored or
// reused since is kept.
func (s *Store) Delete(ctx context.Context, sha string, olderThan time.Time) error {
	if !shaPattern.MatchString(sha) {
		return nil
	}
	info, err := os.Stat(s.path(sha))
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !info.ModTime().Before(olderThan)) {
		return nil
	} else if err != nil {
		return err
	}
	// Move it aside before looking again: a Put that reused the content
	// in between refreshed its time, and then it goes back; a Put from now
	// on finds nothing and stores it anew.
	aside := filepath.Join(s.dir, "tmp", "delete-"+sha)
	if err := os.Rename(s.path(sha), aside); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if info, err := os.Stat(aside); err == nil && !info.ModTime().Before(olderThan) {
		return os.Rename(aside, s.path(sha))
	}
	if err := os.Remove(aside); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
