package auth_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/store"
)

// FuzzTokenAndSession resolves arbitrary strings as API tokens and session
// ids against a real SQLite store holding one token and one session: no
// panic, and every string but the real secrets is "unauthorized" (never a
// user, never an internal error).
func FuzzTokenAndSession(f *testing.F) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	st, err := store.Open(ctx, filepath.Join(f.TempDir(), "auth.db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := auth.NewService(st)
	svc.Params = auth.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}
	if _, err := svc.AddUser(ctx, "ed", "editor", "correct horse battery"); err != nil {
		f.Fatal(err)
	}
	token, _, err := svc.NewToken(ctx, "ed", "fuzz", 0)
	if err != nil {
		f.Fatal(err)
	}
	session, _, _, err := svc.Login(ctx, "ed", "correct horse battery", "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{token, session, token + "x", auth.TokenPrefix, "", "Bearer " + token, token[:len(token)-1],
		"rcat_' OR 1=1 --", "\x00", auth.TokenPrefix + session} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		u, err := svc.TokenUser(ctx, secret)
		switch {
		case secret == token:
			if err != nil || u == nil || u.Name != "ed" {
				t.Fatalf("the real token gives %+v, %v", u, err)
			}
		case u != nil || rollcall.ErrorCode(err) != rollcall.EUNAUTHORIZED:
			t.Fatalf("token %q gives %+v, %v; want unauthorized", secret, u, err)
		}
		sess, u, err := svc.SessionUser(ctx, secret)
		switch {
		case secret == session:
			if err != nil || u == nil || sess == nil || u.Name != "ed" {
				t.Fatalf("the real session gives %+v, %v", u, err)
			}
		case u != nil || sess != nil || rollcall.ErrorCode(err) != rollcall.EUNAUTHORIZED:
			t.Fatalf("session %q gives %+v, %v; want unauthorized", secret, u, err)
		}
	})
}
