package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"assent"
)

// SourceService implements assent.SourceService.
type SourceService struct{ db *DB }

// NewSourceService returns the source service of db.
func NewSourceService(db *DB) *SourceService { return &SourceService{db: db} }

var _ assent.SourceService = (*SourceService)(nil)

const sourceColumns = `id, kind, display_name, link_template, created_at, updated_at, last_sync_at`

func scanSource(row interface{ Scan(...any) error }) (*assent.Source, error) {
	var s assent.Source
	var created, updated int64
	var last sql.NullInt64
	if err := row.Scan(&s.ID, &s.Kind, &s.DisplayName, &s.LinkTemplate, &created, &updated, &last); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt, s.LastSyncAt = fromMS(created), fromMS(updated), fromNullMS(last)
	return &s, nil
}

func findSource(ctx context.Context, q queryer, id string) (*assent.Source, error) {
	s, err := scanSource(q.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "Source %q is not registered; an admin registers it with PUT /api/v1/sources/%s.", id, id)
	} else if err != nil {
		return nil, fmt.Errorf("find source: %w", err)
	}
	return s, nil
}

// FindSource returns one source.
func (s *SourceService) FindSource(ctx context.Context, id string) (*assent.Source, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return findSource(ctx, s.db.read, id)
}

// FindSources lists every source by id; there are a handful.
func (s *SourceService) FindSources(ctx context.Context) ([]*assent.Source, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find sources: %w", err)
	}
	defer rows.Close()
	out := []*assent.Source{}
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("find sources: %w", err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// PutSource registers a source or changes it; an unchanged source writes nothing.
func (s *SourceService) PutSource(ctx context.Context, id string, upd assent.SourceUpdate) (*assent.Source, bool, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, false, err
	}
	if err := upd.Validate(id); err != nil {
		return nil, false, err
	}
	var src *assent.Source
	var created bool
	err := s.db.inTx(ctx, func(tx *Tx) error {
		old, err := findSource(ctx, tx, id)
		switch {
		case assent.ErrorCode(err) == assent.ENOTFOUND:
			created = true
			src = &assent.Source{ID: id, Kind: upd.Kind, DisplayName: upd.DisplayName, LinkTemplate: upd.LinkTemplate, CreatedAt: tx.now, UpdatedAt: tx.now}
			if _, err := tx.ExecContext(ctx, `INSERT INTO sources (id, kind, display_name, link_template, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				id, upd.Kind, upd.DisplayName, upd.LinkTemplate, ms(tx.now), ms(tx.now)); err != nil {
				return fmt.Errorf("insert source: %w", err)
			}
			tx.record("source", id, "source.create", nil, upd)
			return nil
		case err != nil:
			return err
		}
		src = old
		before, after := map[string]any{}, map[string]any{}
		diff := func(name, was, now string) {
			if was != now {
				before[name], after[name] = was, now
			}
		}
		diff("kind", old.Kind, upd.Kind)
		diff("display_name", old.DisplayName, upd.DisplayName)
		diff("link_template", old.LinkTemplate, upd.LinkTemplate)
		if len(after) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sources SET kind = $1, display_name = $2, link_template = $3, updated_at = $4 WHERE id = $5`,
			upd.Kind, upd.DisplayName, upd.LinkTemplate, ms(tx.now), id); err != nil {
			return fmt.Errorf("update source: %w", err)
		}
		src.Kind, src.DisplayName, src.LinkTemplate, src.UpdatedAt = upd.Kind, upd.DisplayName, upd.LinkTemplate, tx.now
		tx.record("source", id, "source.update", before, after)
		return nil
	})
	return src, created, err
}
