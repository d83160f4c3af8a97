package store

import (
	"context"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
)

// TestUsers runs the account storage through both databases: create,
// duplicate, update with version check, sessions and tokens.
func TestUsers(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := context.Background()
		u := &auth.User{Name: "ana", Role: "analyst", PasswordHash: "$argon2id$x"}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateUser(ctx, &auth.User{Name: "ana", Role: "viewer", PasswordHash: "h"}); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
			t.Fatalf("duplicate name: %v", err)
		}
		if err := st.CreateUser(ctx, &auth.User{Name: "bob", Role: "root", PasswordHash: "h"}); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Fatalf("bad role accepted: %v", err)
		}
		got, err := st.UserByName(ctx, "ana")
		if err != nil || got.ID != u.ID || got.Role != "analyst" || got.Version != 1 || got.Disabled {
			t.Fatalf("read back %+v %v", got, err)
		}
		stale := *got
		got.Lang = "ko"
		if err := st.UpdateUser(ctx, got); err != nil || got.Version != 2 {
			t.Fatalf("update: %v v%d", err, got.Version)
		}
		stale.Disabled = true
		if err := st.UpdateUser(ctx, &stale); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
			t.Fatalf("stale update: %v", err)
		}
		if _, err := st.UserByName(ctx, "nobody"); rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
			t.Fatalf("missing user: %v", err)
		}
		now := time.Date(2026, time.December, 12, 12, 12, 12, 0, time.UTC)
		se := &auth.Session{IDHash: "h1", UserID: u.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		old := &auth.Session{IDHash: "h0", UserID: u.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(-time.Hour)}
		for _, s := range []*auth.Session{se, old} {
			if err := st.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if s, err := st.SessionByHash(ctx, "h1"); err != nil || !s.ExpiresAt.Equal(se.ExpiresAt) || s.UserID != u.ID {
			t.Fatalf("session %+v %v", s, err)
		}
		if err := st.DeleteExpiredSessions(ctx, now); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByHash(ctx, "h0"); rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
			t.Fatalf("expired session kept: %v", err)
		}
		if err := st.DeleteUserSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByHash(ctx, "h1"); rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
			t.Fatalf("session kept: %v", err)
		}
		exp := now.Add(24 * time.Hour)
		tok := &auth.APIToken{UserID: u.ID, Name: "script", Hash: "th", ExpiresAt: &exp}
		if err := st.CreateAPIToken(ctx, tok); err != nil || tok.ID == 0 {
			t.Fatalf("token: %v", err)
		}
		if got, err := st.APITokenByHash(ctx, "th"); err != nil || got.UserID != u.ID || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) {
			t.Fatalf("token read back %+v %v", got, err)
		}
		us, err := st.ListUsers(ctx)
		if err != nil || len(us) != 1 {
			t.Fatalf("list %v %v", us, err)
		}
	})
}
