package sqldb_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// mustCreateToken creates a token for the acting user of ctx and returns it with its secret.
func mustCreateToken(t *testing.T, tokens *sqldb.TokenService, ctx context.Context, name string, expires *time.Time) (*assent.Token, string) {
	t.Helper()
	tok, secret, err := tokens.CreateToken(ctx, assent.NewToken{Name: name, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	return tok, secret
}

// tokenIDs lists the ids of tokens.
func tokenIDs(list []*assent.Token) []string {
	ids := []string{}
	for _, tok := range list {
		ids = append(ids, tok.ID)
	}
	return ids
}

func TestTokens(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		tokens := sqldb.NewTokenService(db)
		mustCreateUser(t, db, "ada", assent.RoleMember)
		mustCreateUser(t, db, "bob", assent.RoleMember)
		ada, bob := as("ada", assent.RoleMember), as("bob", assent.RoleMember)

		adaTok, adaSecret := mustCreateToken(t, tokens, ada, "ci pipeline", nil)
		t.Run("OK", func(t *testing.T) {
			if !strings.HasPrefix(adaSecret, assent.TokenPrefix) || len(adaSecret) < len(assent.TokenPrefix)+32 {
				t.Fatalf("secret %q does not start with %q or is short", adaSecret, assent.TokenPrefix)
			}
			if adaTok.ID == "" || adaTok.Username != "ada" || adaTok.Name != "ci pipeline" || adaTok.ExpiresAt != nil || adaTok.LastUsedAt != nil {
				t.Fatalf("created token = %+v", adaTok)
			}
			u, tok, err := tokens.AuthenticateToken(t.Context(), adaSecret)
			if err != nil {
				t.Fatal(err)
			}
			if u.Username != "ada" || u.Role != assent.RoleMember || tok.ID != adaTok.ID {
				t.Fatalf("authenticated as %+v with %+v", u, tok)
			}
			if diff := cmp.Diff([]string{"token.create"}, eventsOf(t, db, "token", adaTok.ID)); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("SecretNeverShown", func(t *testing.T) {
			sum := sha256.Sum256([]byte(adaSecret))
			leaks := []string{adaSecret, strings.TrimPrefix(adaSecret, assent.TokenPrefix), hex.EncodeToString(sum[:])}
			evs, _, err := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{Limit: assent.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			list, err := tokens.FindTokens(admin, "")
			if err != nil {
				t.Fatal(err)
			}
			for what, v := range map[string]any{"events": evs, "token list": list} {
				b := mustJSON(t, v)
				for _, leak := range leaks {
					if strings.Contains(string(b), leak) {
						t.Errorf("%s hold the secret or its hash: %s", what, b)
					}
				}
			}
			if !strings.Contains(string(mustJSON(t, evs)), adaTok.ID) {
				t.Fatal("the events do not name the token at all; the check above proves nothing")
			}
		})
		t.Run("ErrUnknownSecret", func(t *testing.T) {
			for _, secret := range []string{"", "nope", assent.TokenPrefix + "not-a-token", strings.TrimPrefix(adaSecret, assent.TokenPrefix), adaSecret + "x"} {
				_, _, err := tokens.AuthenticateToken(t.Context(), secret)
				wantCode(t, err, assent.EUNAUTHORIZED)
			}
		})
		t.Run("LastUsedWrittenOncePerMinute", func(t *testing.T) {
			t0 := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
			defer func() { db.Now = time.Now }()
			tok, secret := mustCreateToken(t, tokens, bob, "laptop", nil)
			lastUsed := func(at time.Time) *time.Time {
				t.Helper()
				db.Now = func() time.Time { return at }
				if _, _, err := tokens.AuthenticateToken(t.Context(), secret); err != nil {
					t.Fatal(err)
				}
				list, err := tokens.FindTokens(bob, "bob")
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range list {
					if l.ID == tok.ID {
						return l.LastUsedAt
					}
				}
				t.Fatalf("token %s not listed", tok.ID)
				return nil
			}
			for _, step := range []struct {
				at, want time.Time
			}{
				{t0, t0},
				{t0.Add(30 * time.Second), t0},
				{t0.Add(61 * time.Second), t0.Add(61 * time.Second)},
			} {
				if got := lastUsed(step.at); got == nil || !got.Equal(step.want) {
					t.Fatalf("used at %s: last_used_at = %v, want %s", step.at, got, step.want)
				}
			}
		})
		t.Run("ErrExpired", func(t *testing.T) {
			defer func() { db.Now = time.Now }()
			expires := time.Now().Add(time.Hour).Truncate(time.Millisecond)
			_, secret := mustCreateToken(t, tokens, ada, "short-lived", &expires)
			if _, _, err := tokens.AuthenticateToken(t.Context(), secret); err != nil {
				t.Fatalf("before expiry: %v", err)
			}
			db.Now = func() time.Time { return expires.Add(time.Second) }
			_, _, err := tokens.AuthenticateToken(t.Context(), secret)
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
		t.Run("ErrExpiresInPast", func(t *testing.T) {
			past := time.Now().Add(-time.Minute)
			_, _, err := tokens.CreateToken(ada, assent.NewToken{Name: "stale", ExpiresAt: &past})
			if diff := cmp.Diff([]string{"expires_at"}, locations(t, err)); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("ErrRevoked", func(t *testing.T) {
			tok, secret := mustCreateToken(t, tokens, ada, "to revoke", nil)
			if err := tokens.RevokeToken(ada, tok.ID); err != nil {
				t.Fatal(err)
			}
			_, _, err := tokens.AuthenticateToken(t.Context(), secret)
			wantCode(t, err, assent.EUNAUTHORIZED)
			if diff := cmp.Diff([]string{"token.create", "token.revoke"}, eventsOf(t, db, "token", tok.ID)); diff != "" {
				t.Fatal(diff)
			}
			wantCode(t, tokens.RevokeToken(ada, tok.ID), assent.ENOTFOUND)
		})
		t.Run("MemberSeesOwnTokensOnly", func(t *testing.T) {
			_, err := tokens.FindTokens(bob, "ada")
			wantCode(t, err, assent.EFORBIDDEN)
			_, err = tokens.FindTokens(bob, "")
			wantCode(t, err, assent.EFORBIDDEN)
			_, _, err = tokens.CreateToken(bob, assent.NewToken{Username: "ada", Name: "for ada"})
			wantCode(t, err, assent.EFORBIDDEN)
			// Another user's token answers like a missing one, so ids cannot be probed.
			errOther := tokens.RevokeToken(bob, adaTok.ID)
			errMissing := tokens.RevokeToken(bob, "tok_missing")
			wantCode(t, errOther, assent.ENOTFOUND)
			if assent.ErrorCode(errMissing) != assent.ENOTFOUND || strings.ReplaceAll(errOther.Error(), adaTok.ID, "ID") != strings.ReplaceAll(errMissing.Error(), "tok_missing", "ID") {
				t.Fatalf("another's token answered %v, a missing one %v", errOther, errMissing)
			}
			if _, _, err := tokens.AuthenticateToken(t.Context(), adaSecret); err != nil {
				t.Fatalf("ada's token stopped working after bob tried to revoke it: %v", err)
			}
			list, err := tokens.FindTokens(bob, "bob")
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range list {
				if tok.Username != "bob" {
					t.Fatalf("bob's list holds %+v", tok)
				}
			}
		})
		t.Run("AdminListsAndRevokesAll", func(t *testing.T) {
			bobTok, bobSecret := mustCreateToken(t, tokens, bob, "bob's", nil)
			all, err := tokens.FindTokens(admin, "")
			if err != nil {
				t.Fatal(err)
			}
			owners := map[string]bool{}
			for _, tok := range all {
				owners[tok.Username] = true
			}
			if !owners["ada"] || !owners["bob"] || !strings.Contains(strings.Join(tokenIDs(all), " "), bobTok.ID) {
				t.Fatalf("admin's list %v lacks someone's tokens", tokenIDs(all))
			}
			if err := tokens.RevokeToken(admin, bobTok.ID); err != nil {
				t.Fatal(err)
			}
			_, _, err = tokens.AuthenticateToken(t.Context(), bobSecret)
			wantCode(t, err, assent.EUNAUTHORIZED)
			issued, _, err := tokens.CreateToken(admin, assent.NewToken{Username: "bob", Name: "issued by admin"})
			if err != nil || issued.Username != "bob" {
				t.Fatalf("admin issuing for bob: %+v, %v", issued, err)
			}
		})
		t.Run("ErrDisabledOwner", func(t *testing.T) {
			if _, _, err := tokens.AuthenticateToken(t.Context(), adaSecret); err != nil {
				t.Fatal(err)
			}
			disabled := true
			if _, err := sqldb.NewUserService(db).UpdateUser(admin, "ada", assent.UserUpdate{Disabled: &disabled}); err != nil {
				t.Fatal(err)
			}
			_, _, err := tokens.AuthenticateToken(t.Context(), adaSecret)
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
