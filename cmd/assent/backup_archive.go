package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
)

// archive reads a backup entry by entry; every problem with its bytes is a
// damagedError.
type archive struct {
	path     string
	f        *os.File
	gz       *gzip.Reader
	tr       *tar.Reader
	manifest *backupManifest
	raw      []byte // the manifest as stored
}

// maxManifestBytes bounds the manifest: a million attachments take ~150 MB.
const maxManifestBytes = 512 << 20

// openArchive opens a backup and reads its manifest.
func openArchive(path string) (*archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	a := &archive{path: path, f: f}
	if a.gz, err = gzip.NewReader(bufio.NewReaderSize(f, 1<<20)); err != nil {
		f.Close()
		return nil, a.damaged("it is not a gzip file (%v)", err)
	}
	a.tr = tar.NewReader(a.gz)
	hdr, err := a.tr.Next()
	if err != nil {
		a.Close()
		return nil, a.readError(err)
	}
	if hdr.Name != manifestName || hdr.Size > maxManifestBytes {
		a.Close()
		return nil, a.damaged("it does not start with %s (it is not an Assent backup?)", manifestName)
	}
	if a.raw, err = io.ReadAll(a.tr); err != nil {
		a.Close()
		return nil, a.readError(err)
	}
	var man backupManifest
	if err := json.Unmarshal(a.raw, &man); err != nil {
		a.Close()
		return nil, a.damaged("%s is not valid JSON: %v", manifestName, err)
	}
	if man.Format != backupFormat {
		a.Close()
		return nil, a.damaged("%s is not an Assent backup manifest", manifestName)
	}
	if man.FormatVersion > backupFormatVersion {
		a.Close()
		return nil, fmt.Errorf("backup %s has format version %d, written by Assent %s; this binary reads version %d: restore it with a newer Assent",
			path, man.FormatVersion, man.AssentVersion, backupFormatVersion)
	}
	if err := man.validate(); err != nil {
		a.Close()
		return nil, a.damaged("%s: %v", manifestName, err)
	}
	a.manifest = &man
	return a, nil
}

func (a *archive) Close() error {
	if a.gz != nil {
		a.gz.Close()
	}
	return a.f.Close()
}

func (a *archive) damaged(format string, args ...any) error {
	return fmt.Errorf("backup %s is damaged: %s; nothing was restored (use another copy of the backup)", a.path, fmt.Sprintf(format, args...))
}

// readError explains an error of the gzip or tar layer.
func (a *archive) readError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return a.damaged("it is truncated")
	}
	return a.damaged("%v", err)
}

// sameManifest makes sure that the file read again is the one checked.
func (a *archive) sameManifest(man *backupManifest) error {
	if !reflect.DeepEqual(a.manifest, man) {
		return fmt.Errorf("backup %s changed while it was being restored; nothing was restored", a.path)
	}
	return nil
}

// each passes every entry after the manifest to visit, in the manifest's
// order, then checks its size and SHA-256 and, at the end, that nothing
// follows and the gzip checksum holds. An error of visit is returned as is.
func (a *archive) each(visit func(e backupEntry, r io.Reader) error) error {
	for i, want := range a.manifest.Entries {
		hdr, err := a.tr.Next()
		if errors.Is(err, io.EOF) {
			return a.damaged("it is truncated: it ends after %d of its %d entries", i, len(a.manifest.Entries))
		} else if err != nil {
			return a.readError(err)
		}
		if hdr.Name != want.Name || hdr.Typeflag != tar.TypeReg || hdr.Size != want.Size {
			return a.damaged("entry %d is %q of %d bytes where the manifest has %q of %d bytes", i+1, hdr.Name, hdr.Size, want.Name, want.Size)
		}
		h := sha256.New()
		r := &readErrors{r: io.TeeReader(a.tr, h)}
		if err := visit(want, r); err != nil {
			if r.err != nil {
				return a.readError(r.err)
			}
			return err
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return a.readError(err)
		}
		if hex.EncodeToString(h.Sum(nil)) != want.SHA256 {
			return a.damaged("%s does not match its SHA-256 in the manifest", want.Name)
		}
	}
	if _, err := a.tr.Next(); !errors.Is(err, io.EOF) {
		if err != nil {
			return a.readError(err)
		}
		return a.damaged("it holds entries the manifest does not list")
	}
	// The gzip checksum is checked when the stream ends.
	if _, err := io.Copy(io.Discard, a.gz); err != nil {
		return a.readError(err)
	}
	return nil
}

// readErrors remembers a read error, to tell a damaged archive from a
// failure of the writer it is copied to.
type readErrors struct {
	r   io.Reader
	err error
}

func (r *readErrors) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}
